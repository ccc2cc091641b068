/**
 * End to end: the tutorial's walk-through, in a real terminal (tmux).
 * `run -ti -p 8080:80 -- /bin/bash`, a web server started in that shell,
 * eth0 with its 02:42 MAC and address, Ctrl-P Ctrl-Q back to the host
 * prompt, the port answering from 127.0.0.1 and from the LAN, `attach` back
 * into the shell, `exit` ending the container with nothing of it left.
 */
import { expect } from 'chai';
import { canConnect, createCtrnetEnv, ctrnetBinPath, httpGet, useTestNamespaces } from '@ctrnet/testkit';
import { vethLinks } from './helpers/kernel.js';
import { HOST_LAN_IP, createLan } from './helpers/lan.js';
import { ps } from './helpers/state.js';
import { openTerminal } from './helpers/tmux.js';

describe('interactive containers (e2e)', function () {
  this.timeout(120_000);
  const tn = useTestNamespaces();

  it('walks through run -ti, a server in the shell, Ctrl-P Ctrl-Q, attach and exit', async () => {
    const env = await createCtrnetEnv(tn);
    const lan = await createLan(tn, env.host);
    const term = await openTerminal(tn, env.host, { C: `${process.execPath} ${ctrnetBinPath()} --state-dir ${env.stateDir}` });

    term.type('$C run -ti -p 8080:80 --name web -- /bin/bash --norc --noprofile');
    term.type("PS1='ctr# '");
    await term.waitFor(/^ctr#\s*$/m);
    term.type('ip -o addr show eth0; ip -o link show eth0');
    const addr = await term.waitFor(/link\/ether 02:42:ac:11:00:02/);
    expect(addr).to.match(/inet 172\.17\.0\.2\/16/);
    term.type(`${process.execPath} -e "require('http').createServer((q,s)=>s.end('hello from the shell')).listen(80)" &`);
    await term.waitFor(/\[1\] \d+/);

    // Ctrl-P Ctrl-Q: back at the host's prompt, the container still running.
    await term.clear();
    term.keys('C-p', 'C-q');
    term.type('echo detached rc=$?');
    await term.waitFor(/^detached rc=0$/m);
    expect((await ps(env)).map((c) => `${c.Name} ${c.Status}`)).to.deep.equal(['web running']);
    const answers = async (probe: () => Promise<{ body: string }>) => {
      for (let i = 0; i < 100; i++) {
        const body = await probe().then((r) => r.body, () => '');
        if (body) return body;
        await new Promise((r) => setTimeout(r, 50));
      }
      return '';
    };
    expect(await answers(() => httpGet(env.host, 'http://127.0.0.1:8080/'))).to.equal('hello from the shell');
    expect(await answers(() => httpGet(lan, `http://${HOST_LAN_IP}:8080/`))).to.equal('hello from the shell');
    expect(await answers(() => httpGet(env.host, 'http://172.17.0.2:80/'))).to.equal('hello from the shell');

    // attach: the same shell (its server still a job of it), then exit.
    await term.clear();
    term.type('$C attach web');
    await new Promise((r) => setTimeout(r, 500));
    term.type('jobs; echo pid=$$');
    await term.waitFor(/^pid=1$/m);
    expect(term.screen()).to.match(/\[1\]\+\s+Running/);
    term.type('exit 6');
    // Keys typed before attach returns would go to the dying container's terminal: wait for the host's prompt, as a user does.
    await term.waitFor(/^exit\s*\n(.*\n)*host\$/m);
    term.type('echo attach rc=$?');
    await term.waitFor(/^attach rc=6$/m);

    // The container is gone (a foreground run is removed when it ends), and its server with it.
    expect(await ps(env)).to.deep.equal([]);
    expect(await canConnect(env.host, '127.0.0.1', 8080, { timeoutMs: 300 })).to.equal(false);
    expect(await vethLinks(env.host)).to.deep.equal([]);
  });
});
