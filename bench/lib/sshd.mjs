// A throwaway OpenSSH server for bench:loopback's scp rows: its own host key and user key in a
// temp dir, bound to 127.0.0.1 on a spare port (inside a network namespace when asked), killed
// after. Nothing of the system's ssh setup is read or changed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { sleep } from './link-util.mjs';
import { run, start } from './proc.mjs';

/** Absolute path of `cmd` on PATH, or null (sshd refuses to run from a relative path). */
export function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Installs OpenSSH with apt-get when sshd or scp is missing and we are root; the reason when it cannot. */
export function ensureOpenSsh(log) {
  if (which('sshd') && which('scp') && which('ssh-keygen')) return null;
  if (process.getuid?.() !== 0) return 'OpenSSH (sshd, scp) is not installed and installing it needs root';
  log('installing openssh-server openssh-client with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', 'openssh-server', 'openssh-client'], { stdio: 'inherit', env });
  return r.status === 0 && which('sshd') && which('scp') ? null : 'apt-get install openssh-server openssh-client failed';
}

function keygen(path) {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'xfer-bench', '-f', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr.trim()}`);
}

/** ssh/scp options for the throwaway server: no host key checks, only our key, no config. */
function clientOptions(dir, port) {
  return ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-i', join(dir, 'id_ed25519'), '-P', String(port)];
}

/**
 * Starts sshd in `dir` on 127.0.0.1:`port`; `wrap` prefixes commands (`ip netns exec NAME`).
 * Returns scp's argv for a copy, the negotiated cipher, the daemon's pid and stop().
 */
export async function startSshd(dir, port, wrap = []) {
  mkdirSync(dir, { recursive: true });
  mkdirSync('/run/sshd', { recursive: true });
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'id_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')));
  const daemon = [which('sshd'), '-D', '-e', '-f', '/dev/null', '-p', String(port), '-h', join(dir, 'host_ed25519'),
    '-o', `AuthorizedKeysFile=${join(dir, 'authorized_keys')}`, '-o', 'ListenAddress=127.0.0.1', '-o', `PidFile=${join(dir, 'sshd.pid')}`,
    '-o', 'StrictModes=no', '-o', 'Subsystem=sftp internal-sftp'];
  const sshd = start(...split([...wrap, ...daemon]));
  const opts = clientOptions(dir, port);
  const ssh = ['ssh', ...opts.map((o) => (o === '-P' ? '-p' : o)), '-v', `${userInfo().username}@127.0.0.1`, 'true'];
  let probe;
  // The daemon needs a moment to listen; a refused connection is retried, a failed login is not.
  for (let i = 0; i < 50; i++) {
    probe = await run(...split([...wrap, ...ssh]), { timeoutMs: 10_000 });
    if (probe.code === 0 || !/refused/i.test(probe.stderr) || sshd.child.exitCode !== null) break;
    await sleep(100);
  }
  if (probe.code !== 0) {
    await sshd.stop();
    throw new Error(`sshd did not accept our key: ${lastLine(probe.stderr)} / sshd: ${lastLine(sshd.output())}`);
  }
  const cipher = probe.stderr.match(/client->server cipher: (\S+)/)?.[1] ?? '?';
  return {
    pid: sshd.child.pid,
    cipher,
    scp: (file, target) => [...wrap, 'scp', ...opts, file, `${userInfo().username}@127.0.0.1:${target}`],
    stop: () => sshd.stop(),
  };
}

function split(argv) {
  return [argv[0], argv.slice(1)];
}

function lastLine(text) {
  return text.trim().split('\n').pop() ?? '';
}
