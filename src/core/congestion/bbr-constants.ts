// The constants of the BBR controller (bbr.ts), each with the reason for its value. The design
// they belong to is described in ./README.md.

/** 2/ln 2: the lowest gain that still doubles the delivery rate every round in STARTUP. */
export const STARTUP_PACING_GAIN = 2 / Math.LN2;
/**
 * STARTUP window gain while no queue shows: the estimate lags the doubling rate by about a
 * round, and with less than 2/ln 2 the cap would slow the doubling (to ~1.7x per round at 2).
 */
export const STARTUP_CWND_GAIN = 2 / Math.LN2;
/** Once an RTT sample shows a queue the pipe is full: the window comes down to 2 x BDP, which a 1-BDP buffer holds. */
export const STARTUP_QUEUED_CWND_GAIN = 2;
/** Inverse of the startup gain: drains STARTUP's queue in about one round. */
export const DRAIN_PACING_GAIN = 1 / STARTUP_PACING_GAIN;
/**
 * DRAIN ends after this many rounds even if inflight never fell to the BDP: the most STARTUP
 * leaves, 2.885 x BDP, is down to 1 x in (2.885 - 1) / (1 - 0.35) = 2.9 rounds, so a DRAIN any
 * longer drains towards a BDP that is wrong (a min RTT or bandwidth estimate far too low).
 */
export const MAX_DRAIN_ROUNDS = 3;
/** One probe up (finds more bandwidth), one drain (removes the probe's queue), six cruise rounds. */
export const PROBE_BW_GAINS: readonly number[] = [1.25, 0.75, 1, 1, 1, 1, 1, 1];
/** Room for delayed and stretched ACKs so the window, not the pacer, never idles the link. */
export const PROBE_BW_CWND_GAIN = 2;
/** STARTUP ends when the bandwidth estimate grew less than 25 % ... */
export const FULL_BW_GROWTH = 1.25;
/** ... three rounds in a row (one round can be flat by chance, three hardly). */
export const FULL_BW_ROUNDS = 3;
/**
 * A plateau that ended STARTUP is doubted for this many rounds (one gain cycle): growing 25 %
 * past it within them resumes STARTUP (bbr.ts checkPlateauHeld). Later, PROBE_BW's own probes
 * are nearly as fast, and a resumed STARTUP only overshoots again (seen on linkem with 16).
 */
export const RESUME_STARTUP_ROUNDS = 8;
/**
 * ... and "grows" there means by this factor: a PROBE_BW probe asks for 1.25 x 0.99 (the pacing
 * margin), so the full-pipe test's 1.25 could only be met when a queue of ours drained into a
 * faster path, never by the probe alone. Most of the probe delivered is room on the path.
 */
export const RESUME_GROWTH = 1.2;
/**
 * A STARTUP round counts as host-limited (bbr.ts wasHostLimited) only if the path delivered at
 * least this share of the rate we sent at a round earlier (after background loss): less means
 * a queue was growing. With 0.9 a host 1.05 x as fast as a 1-BDP bottleneck overflowed it (56
 * drops in bbr.test.ts's path); rounds are noisy witnesses (ACKs come in clumps), hence not 1.
 */
export const HOST_LIMITED_DELIVERED = 0.97;
/** Bandwidth max filter length: covers a full gain cycle (8 rounds) plus slack. */
export const BW_WINDOW_ROUNDS = 10;
/** Min RTT is trusted this long without a new sample close to it. */
export const MIN_RTT_WINDOW_MS = 10_000;
/** A sample within 2 % + 0.25 ms of the min confirms it (jitter makes exact repeats rare). */
export const MIN_RTT_CONFIRM_FACTOR = 1.02;
export const MIN_RTT_CONFIRM_SLACK_MS = 0.25;
/** PROBE_RTT holds the reduced window this long (and at least one round). */
export const PROBE_RTT_DURATION_MS = 200;
/**
 * The min RTT found before PROBE_BW is checked once, this long after entering it, by a PROBE_RTT
 * that holds its window (half the BDP) for one round instead of 200 ms (bbr.ts enterProbeBw): a
 * flow that joined while another's queue stood measured that queue into its min RTT. Simulated
 * (100 Mbit/s, 50 ms, second flow joining at 11 times in 0-3 s, Jain over 10-20 s): worst 0.887
 * -> 0.978, mean 0.973 -> 0.992. Ending it as soon as inflight is down (no round held) cost half
 * as much but corrected less (worst 0.940). Checking on every standing-queue cut instead (at
 * most every 2 s) shared as well, but fired every 2-3 s for a lone flow on linkem (0 % loss:
 * 92.3-92.8 Mbit/s, against 94.1).
 */
export const MIN_RTT_CHECK_AFTER_MS = 2000;
/** PROBE_RTT window as a share of the BDP: empties the queue when every flow does it. */
export const PROBE_RTT_BDP_FRACTION = 0.5;
/**
 * Initial window in packets (RFC 9002's 10 is NewReno's). The first flight is paced over the
 * handshake RTT, not sent as a burst, and STARTUP doubles per round from here.
 */
export const INITIAL_WINDOW_PACKETS = 32;
/**
 * Most a burst's ACK spacing (startup-train.ts) may open the STARTUP window to, in packets: 24
 * initial windows, so that the 1.25 x round fits on linkem's 100 Mbit/s x 50 ms path (BDP 446
 * packets). A sender that misread its ACKs (read in a batch, stretched by the peer) puts no more
 * than this into a path in one round; longer or faster paths double on from there as before.
 */
export const TRAIN_JUMP_MAX_PACKETS = 24 * INITIAL_WINDOW_PACKETS;
/** The round after a train is sent at this x its rate: the full-pipe test's 25 % probe. */
export const TRAIN_PROBE_GAIN = 1.25;
/**
 * That round shows more than the train's rate B when its best sample reaches this x B: halfway
 * between B (the pipe is full) and the 1.25 x B we sent (there is more).
 */
export const TRAIN_MORE = 1.125;
/**
 * The host must have sent at least this share of the 1.25 x round for its samples to count: a
 * process in its first second (linkem: 60-90 of 100 Mbit/s) shows its own limit, not the path's.
 */
export const TRAIN_SENT_SHARE = 0.9;
/** Floor of the window: keeps ACK clocking and fast loss detection (3 packets + 1) alive. */
export const MIN_CWND_PACKETS = 4;
/** Pace 1 % under the estimate: the max filter is biased high, this keeps the queue empty. */
export const PACING_MARGIN = 0.99;
/** inflightHi = beta x inflight on congestion: a firm but not halving cut. */
export const LOSS_BETA = 0.7;
/** Longest PROBE_BW drain phase, in min RTTs, while a standing queue persists. */
export const MAX_DRAIN_RTTS = 2;
/**
 * Largest cut of the bandwidth estimate per round of standing queue: three rounds halve it, so
 * flows that together overestimate a bottleneck still converge within a probe cycle, while one
 * noisy round on a busy host cannot throw away most of the estimate.
 */
export const STANDING_QUEUE_MAX_CUT = 0.2;
/**
 * A standing queue in a cruise round also caps inflight at this share of what was in flight
 * (bbr.ts endRound): gentler than a loss (LOSS_BETA), since nothing was dropped ...
 */
export const STANDING_QUEUE_BETA = 0.85;
/**
 * ... and at most once per this many rounds (one gain cycle): a loss-based flow keeps a queue
 * standing all the time, and cutting every round would leave it the whole link. Simulated
 * (100 Mbit/s, 50 ms, 10-20 s): two flows Jain 0.957 -> 1.000, late joiner 0.896 -> 0.996;
 * against NewReno 44/54 -> 27/71 Mbit/s (cutting every 2nd round: 9/88).
 */
export const STANDING_QUEUE_CUT_ROUNDS = 8;
/**
 * Share of the compensated loss (bbr.ts cruiseLoss) forgotten per PROBE_BW round once a queue has
 * stood for more than a whole gain cycle, 0.75 phase included: our compensated rate
 * bw / (1 - p) is more than the bottleneck takes (or another flow keeps the queue full, and
 * compensating only adds to it). Random loss needs no queue to show, so a right estimate
 * survives. Doubting after a single such round cost 2-4 % at 10-20 % loss on linkem, where a busy
 * host now and then makes one round look queued (15 %: 82.5-90.8 Mbit/s against 91.6-93.1).
 */
export const STANDING_QUEUE_LOSS_DOUBT = 0.5;
/** Headroom for packets that are partly sent when the window closes. */
export const QUANTUM_PACKETS = 2;
/**
 * Window headroom in ms of the pacing rate. The io layer's timers tick at ~1 ms and the host
 * answers in batches, so on sub-millisecond paths (LAN, loopback) the RTT the sender sees is
 * mostly scheduling, not propagation: without this the window (2 x bw x a 0.1 ms min RTT) would
 * throttle the sender. Elsewhere it is small next to the BDP (3 ms against 50 ms).
 */
export const SCHEDULING_HEADROOM_MS = 3;
/**
 * STARTUP's fill check (startup-fill.ts): a stretch of ACKs lasts FILL_CHUNK_RTT x min RTT, at
 * least FILL_CHUNK_MIN_MS and FILL_CHUNK_MIN_PACKETS (a host reading a batch of datagrams in
 * one turn stamps their ACKs alike); ACKs spread over more than FILL_SPREAD x the time their
 * packets took to leave mean the bottleneck paces them (random loss takes packets out of both
 * spans alike); FILL_READINGS such stretches in a row mean the pipe is full.
 */
export const FILL_CHUNK_RTT = 1 / 8;
export const FILL_CHUNK_MIN_MS = 5;
export const FILL_CHUNK_MIN_PACKETS = 16;
export const FILL_SPREAD = 1.25;
export const FILL_READINGS = 2;
