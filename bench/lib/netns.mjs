// linkem links for bench/link.mjs: commands inside either end, linkem calls, and teardown of
// every link this process brought up (downAllLinks, from the exit handler), also on failure.
import { spawnSync } from 'node:child_process';
import { sleep } from './link-util.mjs';
import { run } from './proc.mjs';

const upLinks = new Set();

/** Tears down every link still up; linkem's down is idempotent, so a half-made link goes too. */
export function downAllLinks() {
  for (const l of upLinks) l.down();
}

/** Link `name` of the linkem script at `linkemPath`; its ends are namespaces `<name>-a` and `<name>-b`. */
export function makeLink(linkemPath, name) {
  const ctl = (...args) => {
    const r = spawnSync(linkemPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`linkem ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  };
  const link = {
    name,
    ctl,
    // `linkem exec` is `ip netns exec` behind a Python start (0.1-0.3 s here), which would
    // count in every timed process; calling ip directly runs the same command in the same place.
    inNs: (side, cmd) => ['ip', ['netns', 'exec', `${name}-${side}`, ...cmd]],
    /** Brings the link up (replacing one of the same name) with linkem `up` options. */
    up(...opts) {
      upLinks.add(link); // before the call, so a link that fails half-way is torn down too
      ctl('up', '--name', name, ...opts, '--force');
    },
    down() {
      spawnSync(linkemPath, ['down', name], { stdio: 'ignore' });
      upLinks.delete(link);
    },
    set: (...opts) => ctl('set', name, ...opts),
    /** Loss and queue drops on the data path (b -> a) since the last reset. */
    dataPathLoss() {
      try {
        const d = JSON.parse(ctl('stats', name, '--json')).ba;
        return { lossPct: (100 * (d.drop_loss + d.drop_ge)) / Math.max(1, d.rx_pkts), queueDrops: d.drop_queue, pkts: d.rx_pkts };
      } catch {
        return { lossPct: NaN, queueDrops: NaN, pkts: 0 };
      }
    },
    /** Waits until a socket listens on `port` in namespace a; proto 'u' (UDP) or 't' (TCP). */
    async waitListening(proto, port, deadlineMs) {
      const t0 = performance.now();
      while (performance.now() - t0 < deadlineMs) {
        const r = await run(...link.inNs('a', ['ss', `-Hl${proto}n`, `sport = :${port}`]), { timeoutMs: 5000 });
        if (r.stdout.trim()) return true;
        await sleep(100);
      }
      return false;
    },
  };
  return link;
}
