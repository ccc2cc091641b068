// Compile the native front of ctrnet-cni (native/ctrnet-cni.c) when a C
// compiler is there; without one, `ctrnet-cni install` puts the Node
// launcher in its place (same behaviour, a slower start).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const out = here('../dist/native/ctrnet-cni');
mkdirSync(here('../dist/native'), { recursive: true });
for (const cc of ['cc', 'gcc', 'clang']) {
  try {
    execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-o', out, here('../native/ctrnet-cni.c')], { stdio: 'inherit' });
    process.exit(0);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
}
process.stderr.write('ctrnet-cni: no C compiler (cc, gcc, clang); `ctrnet-cni install` will install the Node launcher instead of the native front\n');
