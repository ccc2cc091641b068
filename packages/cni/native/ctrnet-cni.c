/*
 * ctrnet-cni, the native front of ctrnet's CNI plugin. A CNI runtime starts
 * a plugin process per call, and Node's own start-up (~40 ms, ~100 ms of CPU
 * on a slow VM) would be most of an ADD. This program forwards the call
 * (the CNI_* and CTRNET_* variables and stdin) to ctrnetd, which runs the
 * plugin's TypeScript logic against its own runtime, and prints what it
 * answers. When no ctrnetd serves the installation, or the one that answers
 * serves another, it runs the Node plugin (the launcher beside it, NAME.js)
 * with the same stdin. It parses no JSON beyond finding "stateDir".
 *
 * Wire: the request is {"env":{...},"stdin":"..."} until EOF (shutdown of
 * the write side); the answer is "EXIT\n" followed by stdout, or
 * "fallback\n" for "run it yourself".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_STATE_DIR "/var/lib/ctrnet"
#define DEFAULT_SOCKET "/run/ctrnet/cni.sock"
#define TRY_AGAIN "{\"cniVersion\":\"1.1.0\",\"code\":11,\"msg\":\"lost ctrnetd while it served the call; try again\"}"

struct buf {
	char *data;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
		if (!b->data) exit(99);
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
}

/* A JSON string literal of s[0..n): quotes, backslashes and control characters escaped. */
static void put_json(struct buf *b, const char *s, size_t n)
{
	char esc[8];
	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put(b, esc, 6);
		} else {
			put(b, (const char *)&s[i], 1);
		}
	}
	put(b, "\"", 1);
}

static int read_all(int fd, struct buf *b)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n == 0) return 0;
		if (n < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		put(b, chunk, (size_t)n);
	}
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		s += w, n -= (size_t)w;
	}
	return 0;
}

/* The value of the first "stateDir" string in the config, if it is a plain string (no escapes). */
static int state_dir_of(const char *conf, char *out, size_t size)
{
	const char *p = conf;
	while ((p = strstr(p, "\"stateDir\"")) != NULL) {
		p += 10;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
		if (*p != ':') continue;
		p++;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
		if (*p != '"') continue;
		const char *end = strchr(++p, '"');
		if (!end || memchr(p, '\\', (size_t)(end - p)) || (size_t)(end - p) >= size) return 0;
		memcpy(out, p, (size_t)(end - p));
		out[end - p] = 0;
		return 1;
	}
	return 0;
}

/* The Node plugin beside this binary (NAME.js), with the config on stdin again. */
static void run_node(const struct buf *in)
{
	char self[PATH_MAX], script[PATH_MAX + 4];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0) goto fail;
	self[n] = 0;
	snprintf(script, sizeof script, "%s.js", self);
	int fd = memfd_create("ctrnet-cni-stdin", 0);
	if (fd < 0 || write_all(fd, in->data ? in->data : "", in->len) < 0 || lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, 0) < 0) goto fail;
	char *argv[] = { script, NULL };
	execve(script, argv, environ);
fail:
	fprintf(stdout, "{\"cniVersion\":\"1.1.0\",\"code\":999,\"msg\":\"ctrnet-cni: cannot run %s.js: %s\"}", n > 0 ? self : "the Node plugin", strerror(errno));
	exit(1);
}

int main(void)
{
	struct buf in = { 0 }, req = { 0 }, res = { 0 };
	if (read_all(0, &in) < 0) run_node(&in);

	char state[PATH_MAX], sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *from_env = getenv("CTRNET_STATE_DIR");
	int have = state_dir_of(in.data ? in.data : "", state, sizeof state);
	if (!have && from_env && *from_env && strlen(from_env) < sizeof state) strcpy(state, from_env), have = 1;
	size_t sl = have ? strlen(state) : 0;
	while (sl > 1 && state[sl - 1] == '/') state[--sl] = 0;
	if (have && state[0] != '/') run_node(&in); /* relative: resolved against the runtime's cwd by the Node plugin */
	if (!have || strcmp(state, DEFAULT_STATE_DIR) == 0) snprintf(sock_path, sizeof sock_path, "%s", DEFAULT_SOCKET);
	else if ((size_t)snprintf(sock_path, sizeof sock_path, "%s/cni.sock", state) >= sizeof sock_path) run_node(&in);

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	strcpy(addr.sun_path, sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) run_node(&in);

	put(&req, "{\"env\":{", 8);
	int first = 1;
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || (strncmp(*e, "CNI_", 4) != 0 && strncmp(*e, "CTRNET_", 7) != 0)) continue;
		if (!first) put(&req, ",", 1);
		first = 0;
		put_json(&req, *e, (size_t)(eq - *e));
		put(&req, ":", 1);
		put_json(&req, eq + 1, strlen(eq + 1));
	}
	put(&req, "},\"stdin\":", 10);
	put_json(&req, in.data ? in.data : "", in.len);
	put(&req, "}", 1);
	if (write_all(fd, req.data, req.len) < 0 || shutdown(fd, SHUT_WR) < 0 || read_all(fd, &res) < 0 || res.len == 0) {
		fputs(TRY_AGAIN, stdout);
		return 1;
	}
	if (strncmp(res.data, "fallback\n", 9) == 0) run_node(&in);
	char *nl = strchr(res.data, '\n');
	if (!nl) {
		fputs(TRY_AGAIN, stdout);
		return 1;
	}
	*nl = 0;
	int code = atoi(res.data);
	if (write_all(1, nl + 1, res.len - (size_t)(nl + 1 - res.data)) < 0) return 1;
	return code;
}
