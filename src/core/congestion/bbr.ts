// Model-based congestion control after the ideas of BBR v1 (Cardwell et al., 2016), with a
// loss response that tells random loss from congestion. The full design, the state machine and
// the reason for every constant are in ./README.md; the constants below carry one-line reasons.
//
// Model: bw = windowed max of delivery-rate samples over BW_WINDOW_ROUNDS round trips;
// minRtt = windowed min of in-order RTT samples (min-rtt.ts); p = background (random) loss rate
// (bbr-loss.ts). The path's send rate is bw / (1 - p): what we must send so that the part that
// survives random loss still fills the bottleneck.
//   pacing rate = pacingGain x bw / (1 - p)
//   cwnd        = cwndGain x bw / (1 - p) x minRtt + ack-aggregation headroom, >= 4 packets,
//                 capped by inflightHi (only set after congestion: loss above background with a
//                 queue, or far above background).
// States: STARTUP -> DRAIN -> PROBE_BW <-> PROBE_RTT (see README.md).
import type { RttEstimator } from '../recovery/rtt.js';
import type { RateSample } from '../recovery/delivery-rate.js';
import type { AckedPacketInfo, CongestionController, SpuriousLossInfo } from './controller.js';
import { WindowedMaxByRound } from './windowed-filter.js';
import { StartupJump, type JumpContext } from './startup-jump.js';
import { StartupFill } from './startup-fill.js';
import { ProbeBwCycle, type CycleView } from './probe-cycle.js';
import { AckAggregation } from './ack-aggregation.js';
import { MinRttFilter } from './min-rtt.js';
import { CutUndo } from './bbr-undo.js';
import { Compete } from './bbr-compete.js';
import { CLEAN_RTT_FACTOR, CLEAN_RTT_SLACK_MS, LossModel, RoundStats, isCongestedRound, wasHostLimited } from './bbr-loss.js';
import {
  STARTUP_PACING_GAIN, STARTUP_CWND_GAIN, STARTUP_QUEUED_CWND_GAIN, DRAIN_PACING_GAIN,
  PROBE_BW_CWND_GAIN, FULL_BW_GROWTH, FULL_BW_ROUNDS, BW_WINDOW_ROUNDS, PROBE_RTT_DURATION_MS, PROBE_RTT_BDP_FRACTION,
  MIN_CWND_PACKETS, INITIAL_WINDOW_PACKETS, PACING_MARGIN, LOSS_BETA, QUANTUM_PACKETS,
  SCHEDULING_HEADROOM_MS, STANDING_QUEUE_MAX_CUT, RESUME_STARTUP_ROUNDS, STANDING_QUEUE_BETA, STANDING_QUEUE_CUT_ROUNDS, STANDING_QUEUE_LOSS_DOUBT,
  RESUME_GROWTH, PROBE_BW_GAINS, MIN_RTT_CHECK_AFTER_MS, MAX_DRAIN_ROUNDS,
} from './bbr-constants.js';

export type BbrState = 'startup' | 'drain' | 'probe_bw' | 'probe_rtt';

export class Bbr implements CongestionController {
  readonly name = 'bbr';
  private mode: BbrState = 'startup';
  private pacingGain = STARTUP_PACING_GAIN;
  private cwndGain = STARTUP_CWND_GAIN;
  private cwnd: number;
  /** Bytes per second; 0 until the model has a bandwidth. */
  private pacing = 0;
  private readonly bwFilter = new WindowedMaxByRound(BW_WINDOW_ROUNDS);
  private readonly minRttFilter = new MinRttFilter();
  private readonly loss: LossModel;
  private readonly stats = new RoundStats();
  private readonly aggregation = new AckAggregation();
  private readonly undo = new CutUndo();
  /** Next to a loss-based flow the window is an AIMD one (bbr-compete.ts). */
  private readonly compete = new Compete();
  private readonly jump: StartupJump;
  private readonly fill = new StartupFill();
  private inflightHi = Infinity;
  private hiGrowth = 0;
  private lastCutRound = -Infinity;
  /** Packet number of the last loss seen, to tell a run of losses from separate ones. */
  private lastLostPn = -2;
  /** Packets sent before this time were answered by the last cut; their losses do not count again. */
  private cutTime = -Infinity;
  /** Time of the ACK being processed: cuts happen while a round closes inside onAck. */
  private clock = 0;
  /** The last round's queue never drained. */
  private standingQueue = false;
  /** PROBE_BW rounds in a row whose queue never drained. */
  private standingRounds = 0;
  /** The last round's sending fell short of what could show growth (wasHostLimited). */
  private hostLimited = false;
  private roundStartedAt = 0;
  /** Bytes per ms we sent in the round before the one that just ended (wasHostLimited). */
  private lastRoundSendRate = 0;
  private delivered = 0;
  private round = 0;
  private nextRoundDelivered = 0;
  private sampled = false;
  private lastSampleAppLimited = false;
  private fullBw = 0;
  private fullBwRounds = 0;
  private filledPipe = false;
  /** The last cut ended STARTUP: if an undo takes it back, STARTUP goes on. */
  private cutEndedStartup = false;
  /** DRAIN ends by this round whatever is in flight (MAX_DRAIN_ROUNDS). */
  private drainEndRound = 0;
  /** Round and estimate at which a plateau (not congestion) ended STARTUP (a later round: doubted longer); see checkPlateauHeld. */
  private plateauRound = -Infinity;
  private plateauBw = 0;
  private readonly cycle = new ProbeBwCycle();
  /** Filled in place on every ACK: no allocation per ACK on the hot path. */
  private readonly cycleView: CycleView = { minRttMs: 0, standingQueue: false, priorInflight: 0, window: 0, bdp: 0, mds: 0 };
  private readonly jumpContext: JumpContext = { cwnd: 0, minRttMs: 0, bandwidth: 0 };
  private probeRttDoneAt: number | null = null;
  /** This PROBE_RTT holds its window for a round only (the min RTT check). */
  private probeRttBrief = false;
  /** When the min RTT found before PROBE_BW is checked (null: not yet in PROBE_BW, or done). */
  private minRttCheckAt: number | null = null;
  private minRttChecked = false;
  private probeRttRound = 0;
  private priorCwnd = 0;
  private readonly iw: number;

  constructor(private mds: number) {
    this.iw = INITIAL_WINDOW_PACKETS * mds;
    this.cwnd = this.iw;
    this.loss = new LossModel(mds);
    this.jump = new StartupJump(mds);
  }

  setDatagramSize(size: number): void {
    this.mds = size;
    this.loss.setDatagramSize(size);
    this.jump.setDatagramSize(size);
  }

  // ------------------------------------------------------------------ observers (stats, tests)

  get state(): BbrState {
    return this.mode;
  }

  /** Bottleneck bandwidth estimate (max delivery rate), bytes per second. */
  get bandwidth(): number {
    return this.bwFilter.max(this.round);
  }

  get minRtt(): number {
    return this.minRttFilter.ms;
  }

  private get minRttMs(): number {
    return this.minRttFilter.ms;
  }

  get backgroundLoss(): number {
    return this.loss.judged.rate;
  }

  get inflightCap(): number {
    return this.inflightHi;
  }

  get roundCount(): number {
    return this.round;
  }

  get currentPacingGain(): number {
    return this.pacingGain;
  }

  // ------------------------------------------------------------------ CongestionController

  onPacketSent(now: number, _pn: number, size: number, bytesInFlight: number, _isRetransmittable: boolean): void {
    const rs = this.stats;
    if (bytesInFlight > rs.maxInflight) rs.maxInflight = bytesInFlight;
    rs.sentBytes += size;
    if (bytesInFlight + this.mds > this.window()) rs.windowLimited = true;
    this.jump.onSent(now, size, this.minRttMs);
  }

  onAck(now: number, acked: readonly AckedPacketInfo[], rttEst: RttEstimator, bytesInFlightAfter: number, sample?: RateSample | null, inOrder = true): void {
    if (acked.length === 0) return;
    this.clock = now;
    const rs = this.stats;
    let ackedBytes = 0;
    let newestSent = -Infinity;
    let maxStamp = -1;
    for (const p of acked) {
      ackedBytes += p.size;
      newestSent = Math.max(newestSent, p.timeSent);
      maxStamp = Math.max(maxStamp, p.delivered ?? this.delivered);
      this.loss.count(rs, p.timeSent, p.size, false);
    }
    this.delivered += ackedBytes;
    rs.deliveredBytes += ackedBytes;
    rs.deliveredPackets += acked.length;
    const rawRtt = now - newestSent;
    const minRttExpired = this.minRttFilter.update(now, rawRtt, inOrder) && this.mode !== 'probe_rtt';
    // What the peer says it held the ACK back is no queue: a delayed ACK in a sparse round (the
    // first flight) would otherwise read as queueing and make that round's losses congestion.
    const rtt = Math.max(Math.min(rawRtt, this.minRttMs), rawRtt - rttEst.latestAckDelay);
    // A sample that overtook others is short of the path's: it would hide a standing queue.
    if (inOrder) rs.minRtt = Math.min(rs.minRtt, rtt);
    rs.maxRtt = Math.max(rs.maxRtt, rtt);

    if (this.mode === 'startup') this.fill.onAck(now, newestSent, acked.length, this.minRttMs);
    if (this.mode !== 'startup' || this.filledPipe || this.lastCutRound !== -Infinity) this.jump.cancel();
    else if (this.jump.onAck(now, newestSent, this.delivered, this.fillJumpContext())) this.endStartupOnJump();
    const roundStart = maxStamp >= this.nextRoundDelivered;
    if (roundStart) this.endRound();
    if (sample) this.onRateSample(sample);
    this.aggregation.onAck(now, ackedBytes, this.sendRate() / 1000, this.round);
    if (roundStart) {
      this.checkFullPipe();
      this.checkPlateauHeld();
    }

    const priorInflight = bytesInFlightAfter + ackedBytes;
    this.stepStates(now, priorInflight, bytesInFlightAfter, minRttExpired);
    this.updateCwnd(ackedBytes, rtt);
    this.updatePacing();
  }

  onLoss(now: number, lost: readonly AckedPacketInfo[], persistentCongestion: boolean, _bytesInFlightAfter: number): void {
    const rs = this.stats;
    for (const p of lost) {
      // On a long path an overshoot's losses trickle in over several rounds; counted again after
      // the cut they would cut a second time, below the BDP (10 Mbit/s x 200 ms: 1 s at 70 %).
      if (p.timeSent > this.cutTime) {
        rs.lostBytes += p.size;
        rs.lostPackets++;
        if (p.pn !== this.lastLostPn + 1) rs.lostEvents++;
      }
      this.lastLostPn = p.pn;
      this.loss.count(rs, p.timeSent, p.size, true);
    }
    if (lost.length > 0 && this.mode === 'probe_bw') this.cycle.onLoss();
    if (persistentCongestion) this.restart(now);
  }

  onSpuriousLoss(_now: number, packets: readonly SpuriousLossInfo[]): void {
    const open = { stats: this.stats, startedAt: this.roundStartedAt, cutTime: this.cutTime, lastCutRound: this.lastCutRound };
    const restore = this.undo.onSpurious(packets, open, this.loss);
    if (!restore) return;
    this.inflightHi = restore.inflightHi;
    this.hiGrowth = restore.hiGrowth;
    this.lastCutRound = restore.lastCutRound;
    this.cutTime = restore.cutTime;
    // A cut that ended STARTUP was its only evidence of a full pipe: undone, STARTUP goes on.
    if (this.cutEndedStartup && (this.mode === 'drain' || this.mode === 'probe_bw')) this.resumeStartup();
    this.cutEndedStartup = false;
  }

  onAppLimited(_bytesInFlight: number): void {
    // Nothing to do here: the tracker marks the rate samples, and onAck skips low app-limited ones.
  }

  canSend(bytesInFlight: number): boolean {
    return bytesInFlight < this.window();
  }

  window(): number {
    if (this.compete.isActive && this.mode !== 'probe_rtt') return Math.max(this.minCwnd(), this.compete.window);
    return Math.max(this.minCwnd(), Math.min(this.cwnd, this.inflightHi));
  }

  pacingRate(rtt: RttEstimator): number {
    if (this.pacing > 0) return this.pacing;
    // No bandwidth sample yet: spread the initial window over the RTT we know (1 ms if none,
    // i.e. the first flight goes out as one window-sized burst, as in TCP).
    const srtt = rtt.hasSample ? Math.max(rtt.smoothed, 1) : 1;
    return (STARTUP_PACING_GAIN * this.iw * 1000) / srtt;
  }

  inSlowStart(): boolean {
    return this.mode === 'startup';
  }

  // ------------------------------------------------------------------ model

  /** Bytes per second to send so that what survives background loss is `bw`. */
  private sendRate(): number {
    return this.bandwidth / (1 - this.loss.compensation);
  }

  /** gain x send rate x min RTT, in bytes (0 without a model). */
  private bdp(gain: number): number {
    if (!Number.isFinite(this.minRttMs)) return 0;
    return (gain * this.sendRate() * this.minRttMs) / 1000;
  }

  private minCwnd(): number {
    return MIN_CWND_PACKETS * this.mds;
  }

  private onRateSample(s: RateSample): void {
    this.sampled = true;
    this.lastSampleAppLimited = s.isAppLimited;
    if (s.isAppLimited) this.stats.appLimited = true;
    // A sample taken while the application limited us says nothing about the path unless it
    // beats the estimate anyway.
    if (!s.isAppLimited || s.deliveryRate >= this.bandwidth) {
      this.stats.sampled = true;
      this.bwFilter.update(this.round, s.deliveryRate);
      this.stats.maxRate = Math.max(this.stats.maxRate, s.deliveryRate);
    }
  }

  /**
   * The round at 1.25 x a burst's rate (startup-jump.ts) found no more: the pipe is full, without
   * STARTUP's 2.885 x rounds. This plateau is found a few rounds in, while both hosts may still be
   * warming up (a receiver reading slower spaces the ACKs out too): it is doubted twice as long.
   */
  private fillJumpContext(): JumpContext {
    const c = this.jumpContext;
    c.cwnd = this.cwnd;
    c.minRttMs = this.minRttMs;
    c.bandwidth = this.bandwidth;
    return c;
  }

  private endStartupOnJump(): void {
    this.filledPipe = true;
    this.plateauRound = this.round + RESUME_STARTUP_ROUNDS;
    this.plateauBw = this.bandwidth;
  }

  /** Closes the round that just ended: background loss, congestion check, window cap growth. */
  private endRound(): void {
    const rs = this.stats;
    if (Number.isFinite(this.minRttMs)) {
      if (rs.isClean(this.minRttMs)) this.loss.learnFrom(rs);
      // Losses in the round right after a cut belong to packets sent before it.
      const settled = this.round > this.lastCutRound + 1;
      const congested = settled && isCongestedRound(rs, this.loss.judged.rate, this.minRttMs);
      if (congested) this.onCongestion(rs);
      else this.growInflightCap(rs);
      this.compete.onRound(rs, { probing: this.mode === 'probe_bw', congested, window: this.window(), mds: this.mds, now: this.clock });
      // A queue that never drained while we cruised: the flows sharing the bottleneck together
      // overestimate it (each max filter holds its own probe's peak). Fall back to what we
      // really got, so the sum of the rates matches the bottleneck again.
      this.standingQueue = rs.hasStandingQueue(this.minRttMs);
      // A queue that outlasts a whole gain cycle, 0.75 phase included, is no host noise: the
      // loss we compensate for is too high (STANDING_QUEUE_LOSS_DOUBT).
      this.standingRounds = this.mode === 'probe_bw' && this.standingQueue ? this.standingRounds + 1 : 0;
      if (this.standingRounds > PROBE_BW_GAINS.length) this.loss.compensated.doubt(STANDING_QUEUE_LOSS_DOUBT);
      // One round is a noisy witness on a real host (a stalled reader, a busy CPU, an app- or
      // flow-control-limited stretch all lower its best sample), so a cut takes at most
      // STANDING_QUEUE_MAX_CUT per round, and rounds with app-limited samples do not count;
      // a queue that keeps standing keeps cutting.
      const modelled = this.mode === 'probe_bw' && !this.compete.isActive;
      if (modelled && this.pacingGain <= 1 && rs.maxRate > 0 && this.standingQueue && !rs.appLimited) {
        this.bwFilter.resetTo(this.round + 1, Math.max(rs.maxRate, (1 - STANDING_QUEUE_MAX_CUT) * this.bandwidth));
        // The cut above keeps every flow's share (each falls back to what it got), so it cannot
        // make two flows converge. A multiplicative cut of the window cap, regrown by one packet
        // per round while the queue stands (growInflightCap), is AIMD: the bigger flow gives up
        // more and both grow back alike, so shares converge. Once per gain cycle at most, so a
        // loss-based flow (whose queue always stands) does not squeeze us out.
        if (this.round > this.lastCutRound + STANDING_QUEUE_CUT_ROUNDS) this.capInflight(rs, STANDING_QUEUE_BETA);
      }
    }
    // A round without a usable sample (idle, app-limited) must not age the estimate out.
    if (!rs.sampled) this.bwFilter.update(this.round + 1, this.bandwidth);
    const ms = this.clock - this.roundStartedAt;
    const sentRate = ms > 0 ? rs.sentBytes / ms : 0;
    this.hostLimited = ms > 0 && wasHostLimited(rs, ms, sentRate, this.lastRoundSendRate, this.loss.judged.rate, this.sendRate());
    this.lastRoundSendRate = sentRate;
    this.roundStartedAt = this.clock;
    rs.reset();
    this.round++;
    this.nextRoundDelivered = this.delivered;
  }

  private onCongestion(rs: RoundStats): void {
    const before = { inflightHi: this.inflightHi, hiGrowth: this.hiGrowth, lastCutRound: this.lastCutRound, cutTime: this.cutTime };
    this.undo.onCut(before, rs, this.loss.judged.rate, this.minRttMs, this.roundStartedAt, this.clock, this.round);
    const endsStartup = this.mode === 'startup' && !this.filledPipe;
    this.capInflight(rs, LOSS_BETA);
    this.cutEndedStartup = endsStartup;
    if (this.mode === 'startup') this.filledPipe = true;
    this.plateauRound = -Infinity;
    // A probe that met congestion is over.
    if (this.mode === 'probe_bw') this.cycle.onLoss();
  }

  /** inflightHi = beta x what was in flight this round (or the window, if smaller). */
  private capInflight(rs: RoundStats, beta: number): void {
    const base = Math.min(rs.maxInflight > 0 ? rs.maxInflight : this.cwnd, this.cwnd, this.inflightHi);
    this.inflightHi = Math.max(this.minCwnd(), beta * base);
    this.hiGrowth = 0;
    this.lastCutRound = this.round;
    this.cutTime = this.clock;
    this.cutEndedStartup = false;
  }

  /** After a cut, the cap grows back exponentially per uncongested round in which it was the limit. */
  private growInflightCap(rs: RoundStats): void {
    if (!Number.isFinite(this.inflightHi)) return;
    if (rs.maxInflight + this.mds < this.inflightHi) return;
    // While the queue stands (a loss-based flow keeps it full) grow like Reno, one packet per
    // round; once it drains, the competition is gone and the cap may grow fast.
    if (rs.hasStandingQueue(this.minRttMs)) this.hiGrowth = this.mds;
    else this.hiGrowth = this.hiGrowth === 0 ? this.mds : 2 * this.hiGrowth;
    this.inflightHi += this.hiGrowth;
    if (this.inflightHi >= this.cwndTarget()) this.inflightHi = Infinity;
  }

  private checkFullPipe(): void {
    if (this.filledPipe || !this.sampled || this.lastSampleAppLimited) return;
    const bw = this.bandwidth;
    // The bottleneck has spread our ACKs out for a min RTT (startup-fill.ts): the estimate holds
    // its rate, and another round at 2.885 x would only keep its buffer full.
    if (this.fill.fullAt + this.minRttMs <= this.clock) return this.plateau(bw);
    if (bw >= this.fullBw * FULL_BW_GROWTH) {
      this.fullBw = bw;
      this.fullBwRounds = 0;
      return;
    }
    // A round in which the host, not the path, held the rate down proves no plateau, and its
    // "queue" may be no more than our own late event loop stretching RTT samples.
    if (this.hostLimited) return;
    // A round that did not grow and never saw the queue drain is the bottleneck's answer
    // already: two more rounds at 2.885x would only pile a BDP or more into its queue.
    if (++this.fullBwRounds >= FULL_BW_ROUNDS || this.standingQueue) this.plateau(bw);
  }

  /** STARTUP ends on a plateau, which checkPlateauHeld may still find was the hosts'. */
  private plateau(bw: number): void {
    this.filledPipe = true;
    this.plateauRound = this.round;
    this.plateauBw = bw;
  }

  /**
   * A plateau can be the hosts', not the bottleneck's: in its first second a process still
   * compiling its hot code sends or reads slower, a round or two stalls, and their RTTs show a
   * queue (in its socket buffer). If within RESUME_STARTUP_ROUNDS the estimate grows another 25 %
   * (the most a 1.25 probe can find, and only on an unfilled pipe), STARTUP resumes instead of
   * PROBE_BW's 25 % per gain cycle. Not after congestion: that plateau was the bottleneck's.
   */
  private checkPlateauHeld(): void {
    if (this.mode !== 'probe_bw' || this.round > this.plateauRound + RESUME_STARTUP_ROUNDS) return;
    if (this.bandwidth < this.plateauBw * RESUME_GROWTH) return;
    this.resumeStartup();
  }

  private resumeStartup(): void {
    this.filledPipe = false;
    this.fullBw = this.bandwidth;
    this.fullBwRounds = 0;
    this.plateauRound = -Infinity;
    // A standing-queue cap (congestion would have ruled this out) was taken on a wrong estimate.
    this.inflightHi = Infinity;
    this.enterStartup();
  }

  // ------------------------------------------------------------------ state machine

  private stepStates(now: number, priorInflight: number, inflight: number, minRttExpired: boolean): void {
    if (this.mode === 'startup' && this.filledPipe) this.enterDrain();
    // The floor: an estimate that collapsed (a flow starved by another) would otherwise keep
    // DRAIN's 0.35 gain until PROBE_RTT, seconds later; so would a BDP far too low, hence the bound.
    const drained = inflight <= Math.max(this.bdp(1), this.minCwnd()) || this.round >= this.drainEndRound;
    if (this.mode === 'drain' && drained) this.enterProbeBw(now);
    if (this.mode === 'probe_bw') {
      const v = this.cycleView;
      v.minRttMs = this.minRttMs;
      v.standingQueue = this.standingQueue;
      v.priorInflight = priorInflight;
      v.window = this.window();
      v.bdp = this.bdp(1);
      v.mds = this.mds;
      this.cycle.update(now, v);
      this.pacingGain = this.cycle.gain;
    }
    if (minRttExpired) this.enterProbeRtt();
    if (this.mode === 'probe_bw' && this.minRttCheckAt !== null && now >= this.minRttCheckAt) {
      this.minRttCheckAt = null;
      this.enterProbeRtt(true);
    }
    if (this.mode === 'probe_rtt') this.updateProbeRtt(now, inflight);
    this.loss.setLearnable(now, this.isLearnable(), this.mode === 'startup');
  }

  /** Packets sent now cannot meet a queue we built (see bbr-loss.ts). */
  private isLearnable(): boolean {
    if (this.mode === 'startup') return this.fullBwRounds === 0;
    return this.pacingGain < 1 || this.mode === 'probe_rtt';
  }

  private enterStartup(): void {
    this.mode = 'startup';
    this.fill.reset();
    this.pacingGain = STARTUP_PACING_GAIN;
    this.cwndGain = STARTUP_CWND_GAIN;
  }

  private enterDrain(): void {
    this.mode = 'drain';
    this.drainEndRound = this.round + MAX_DRAIN_ROUNDS;
    this.pacingGain = DRAIN_PACING_GAIN;
    this.cwndGain = STARTUP_QUEUED_CWND_GAIN;
  }

  private enterProbeBw(now: number): void {
    this.mode = 'probe_bw';
    this.cwndGain = PROBE_BW_CWND_GAIN;
    if (!this.minRttChecked) {
      // A flow that started while another's queue stood has a min RTT inflated by that queue, and
      // its own samples keep confirming it: it sees no queue, so it never yields and outgrows the
      // flows that do, until PROBE_RTT 10 s later. One short PROBE_RTT soon after STARTUP, when
      // the others still run at their old share and the queue empties, finds the true one.
      // It costs a lone flow 0.5-1 RTT of sending, once (README: "The min RTT check").
      this.minRttChecked = true;
      this.minRttCheckAt = now + MIN_RTT_CHECK_AFTER_MS;
    }
    this.cycle.enter(now, this.delivered);
    this.pacingGain = this.cycle.gain;
  }

  private enterProbeRtt(brief = false): void {
    if (this.mode === 'probe_rtt') return;
    this.probeRttBrief = brief;
    this.priorCwnd = Math.max(this.priorCwnd, this.cwnd);
    this.mode = 'probe_rtt';
    this.pacingGain = 1;
    this.cwndGain = 1;
    this.probeRttDoneAt = null;
  }

  private updateProbeRtt(now: number, inflight: number): void {
    if (this.probeRttDoneAt === null) {
      if (inflight > this.probeRttCwnd()) return;
      this.probeRttDoneAt = this.probeRttBrief ? now : now + PROBE_RTT_DURATION_MS;
      this.probeRttRound = this.round + 1;
      return;
    }
    if (now < this.probeRttDoneAt || this.round < this.probeRttRound) return;
    this.minRttFilter.confirm(now);
    this.cwnd = Math.max(this.cwnd, this.priorCwnd);
    this.priorCwnd = 0;
    if (this.filledPipe) this.enterProbeBw(now);
    else this.enterStartup();
  }

  private probeRttCwnd(): number {
    return Math.max(this.minCwnd(), this.bdp(PROBE_RTT_BDP_FRACTION));
  }

  private cwndTarget(gain = this.cwndGain): number {
    const headroom = this.filledPipe ? this.aggregation.extra(this.round) : 0;
    const quantum = Math.max(QUANTUM_PACKETS * this.mds, (this.pacing * SCHEDULING_HEADROOM_MS) / 1000);
    return this.bdp(gain) + headroom + quantum;
  }

  private updateCwnd(acked: number, rtt: number): void {
    if (this.bandwidth > 0 && Number.isFinite(this.minRttMs)) {
      // A high RTT sample means a full pipe only once the estimate also stopped growing: while
      // it still grows 25 % per round the delay is the hosts' (busy CPUs, batched ACKs), and
      // capping the window at 2 x a lagging estimate would stall the doubling on a real host.
      // ACKs spread out by the bottleneck (startup-fill.ts) say so a round before the RTT does.
      const queued = (rtt > this.minRttMs * CLEAN_RTT_FACTOR + CLEAN_RTT_SLACK_MS && this.fullBwRounds > 0) || this.fill.full;
      const gain = this.mode === 'startup' && queued ? STARTUP_QUEUED_CWND_GAIN : this.cwndGain;
      const target = this.cwndTarget(gain);
      // Once queued, STARTUP's window comes down to the target, not just stops growing: left at
      // 2.885 x it kept 0.9 BDP more in flight than the pipe and a 1-BDP buffer hold, all dropped,
      // and those drops, not yet declared lost, made DRAIN drain on past the empty queue.
      if (this.filledPipe || (this.mode === 'startup' && queued)) this.cwnd = Math.min(this.cwnd + acked, target);
      else if (this.cwnd < target || this.delivered < this.iw) this.cwnd += acked;
    } else {
      this.cwnd += acked;
    }
    this.cwnd = Math.max(this.cwnd, this.minCwnd());
    if (this.mode === 'probe_rtt') this.cwnd = Math.min(this.cwnd, this.probeRttCwnd());
    const jump = this.jump.active;
    if (jump) this.cwnd = jump.window;
  }

  private updatePacing(): void {
    let rate = this.pacingGain * this.sendRate() * PACING_MARGIN;
    if (!this.filledPipe) {
      // Until the pipe is full the rate never drops: early samples (a lone handshake packet, a
      // half-sent first window) undershoot, and the initial window over min RTT is a safe floor.
      const floor = Number.isFinite(this.minRttMs) ? (STARTUP_PACING_GAIN * this.iw * 1000) / Math.max(this.minRttMs, 1) : 0;
      rate = Math.max(rate, floor, this.pacing);
    }
    // Never slower than the window floor per min RTT: a flow starved by another (its delivery
    // samples, and so its estimate, shrinking towards zero) must still send enough to be seen.
    if (rate > 0 && Number.isFinite(this.minRttMs)) rate = Math.max(rate, (this.minCwnd() * 1000) / Math.max(this.minRttMs, 1));
    if (this.compete.isActive) rate = Math.max(rate, this.compete.pacingRate());
    if (rate > 0) this.pacing = rate;
    const jump = this.jump.active;
    if (jump) this.pacing = jump.pacing;
  }

  /** The path went dark for several PTOs: forget the bandwidth and start over. */
  private restart(now: number): void {
    this.bwFilter.reset();
    this.aggregation.reset();
    this.jump.reset();
    this.inflightHi = Infinity;
    this.hiGrowth = 0;
    this.fullBw = 0;
    this.fullBwRounds = 0;
    this.filledPipe = false;
    this.plateauRound = -Infinity;
    this.pacing = 0;
    this.priorCwnd = 0;
    this.cwnd = this.minCwnd();
    this.compete.reset();
    this.enterStartup();
    this.loss.setLearnable(now, true, true);
  }
}
