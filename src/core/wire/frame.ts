import { WireError } from './errors.js';
import { ByteReader, type ByteWriter } from './varint.js';
import { type AckFrame, FRAME_ACK, ackFrameSize, decodeAckFrame, encodeAckFrame } from './frames/ack.js';
import {
  type AckFrequencyFrame,
  FRAME_ACK_FREQUENCY,
  ackFrequencyFrameSize,
  decodeAckFrequencyFrame,
  encodeAckFrequencyFrame,
} from './frames/ack-frequency.js';
import {
  type ConnectionCloseFrame,
  FRAME_CONNECTION_CLOSE,
  connectionCloseFrameSize,
  decodeConnectionCloseFrame,
  encodeConnectionCloseFrame,
} from './frames/connection-close.js';
import {
  type DataBlockedFrame,
  FRAME_DATA_BLOCKED,
  dataBlockedFrameSize,
  decodeDataBlockedFrame,
  encodeDataBlockedFrame,
} from './frames/data-blocked.js';
import {
  type HandshakeDoneFrame,
  FRAME_HANDSHAKE_DONE,
  decodeHandshakeDoneFrame,
  encodeHandshakeDoneFrame,
  handshakeDoneFrameSize,
} from './frames/handshake-done.js';
import { type MaxDataFrame, FRAME_MAX_DATA, decodeMaxDataFrame, encodeMaxDataFrame, maxDataFrameSize } from './frames/max-data.js';
import {
  type MaxStreamDataFrame,
  FRAME_MAX_STREAM_DATA,
  decodeMaxStreamDataFrame,
  encodeMaxStreamDataFrame,
  maxStreamDataFrameSize,
} from './frames/max-stream-data.js';
import {
  type MaxStreamsFrame,
  FRAME_MAX_STREAMS,
  decodeMaxStreamsFrame,
  encodeMaxStreamsFrame,
  maxStreamsFrameSize,
} from './frames/max-streams.js';
import { type PaddingFrame, FRAME_PADDING, decodePaddingFrame, encodePaddingFrame, paddingFrameSize } from './frames/padding.js';
import { type PingFrame, FRAME_PING, decodePingFrame, encodePingFrame, pingFrameSize } from './frames/ping.js';
import {
  type ResetStreamFrame,
  FRAME_RESET_STREAM,
  decodeResetStreamFrame,
  encodeResetStreamFrame,
  resetStreamFrameSize,
} from './frames/reset-stream.js';
import {
  type StopSendingFrame,
  FRAME_STOP_SENDING,
  decodeStopSendingFrame,
  encodeStopSendingFrame,
  stopSendingFrameSize,
} from './frames/stop-sending.js';
import {
  type StreamDataBlockedFrame,
  FRAME_STREAM_DATA_BLOCKED,
  decodeStreamDataBlockedFrame,
  encodeStreamDataBlockedFrame,
  streamDataBlockedFrameSize,
} from './frames/stream-data-blocked.js';
import { type StreamFrame, FRAME_STREAM, decodeStreamFrame, encodeStreamFrame, streamFrameSize } from './frames/stream.js';

export { lastStreamFrameHeaderSize, streamFrameHeaderSize } from './frames/stream.js';

export type Frame =
  | PaddingFrame
  | PingFrame
  | AckFrame
  | ResetStreamFrame
  | StopSendingFrame
  | StreamFrame
  | MaxDataFrame
  | MaxStreamDataFrame
  | MaxStreamsFrame
  | DataBlockedFrame
  | StreamDataBlockedFrame
  | ConnectionCloseFrame
  | HandshakeDoneFrame
  | AckFrequencyFrame;

export type FrameType = Frame['type'];

/** Writes `f`; a STREAM frame always carries LEN here (use encodeStreamFrame to omit it). */
export function encodeFrame(w: ByteWriter, f: Frame): void {
  switch (f.type) {
    case 'padding': return encodePaddingFrame(w, f);
    case 'ping': return encodePingFrame(w, f);
    case 'ack': return encodeAckFrame(w, f);
    case 'reset_stream': return encodeResetStreamFrame(w, f);
    case 'stop_sending': return encodeStopSendingFrame(w, f);
    case 'stream': return encodeStreamFrame(w, f, true);
    case 'max_data': return encodeMaxDataFrame(w, f);
    case 'max_stream_data': return encodeMaxStreamDataFrame(w, f);
    case 'max_streams': return encodeMaxStreamsFrame(w, f);
    case 'data_blocked': return encodeDataBlockedFrame(w, f);
    case 'stream_data_blocked': return encodeStreamDataBlockedFrame(w, f);
    case 'connection_close': return encodeConnectionCloseFrame(w, f);
    case 'handshake_done': return encodeHandshakeDoneFrame(w, f);
    case 'ack_frequency': return encodeAckFrequencyFrame(w, f);
  }
}

/** Exact number of bytes encodeFrame writes for `f`. */
export function frameSize(f: Frame): number {
  switch (f.type) {
    case 'padding': return paddingFrameSize(f);
    case 'ping': return pingFrameSize(f);
    case 'ack': return ackFrameSize(f);
    case 'reset_stream': return resetStreamFrameSize(f);
    case 'stop_sending': return stopSendingFrameSize(f);
    case 'stream': return streamFrameSize(f, true);
    case 'max_data': return maxDataFrameSize(f);
    case 'max_stream_data': return maxStreamDataFrameSize(f);
    case 'max_streams': return maxStreamsFrameSize(f);
    case 'data_blocked': return dataBlockedFrameSize(f);
    case 'stream_data_blocked': return streamDataBlockedFrameSize(f);
    case 'connection_close': return connectionCloseFrameSize(f);
    case 'handshake_done': return handshakeDoneFrameSize(f);
    case 'ack_frequency': return ackFrequencyFrameSize(f);
  }
}

function decodeOne(r: ByteReader): Frame {
  // Frame types are varints, but every known type fits in one byte; any byte with the varint
  // length bits set is therefore an unknown (or non-minimally encoded) type: both are malformed.
  const type = r.u8();
  if (type >= FRAME_STREAM && type <= (FRAME_STREAM | 0x07)) return decodeStreamFrame(r, type);
  switch (type) {
    case FRAME_PADDING: return decodePaddingFrame(r);
    case FRAME_PING: return decodePingFrame(r);
    case FRAME_ACK: return decodeAckFrame(r);
    case FRAME_RESET_STREAM: return decodeResetStreamFrame(r);
    case FRAME_STOP_SENDING: return decodeStopSendingFrame(r);
    case FRAME_MAX_DATA: return decodeMaxDataFrame(r);
    case FRAME_MAX_STREAM_DATA: return decodeMaxStreamDataFrame(r);
    case FRAME_MAX_STREAMS: return decodeMaxStreamsFrame(r);
    case FRAME_DATA_BLOCKED: return decodeDataBlockedFrame(r);
    case FRAME_STREAM_DATA_BLOCKED: return decodeStreamDataBlockedFrame(r);
    case FRAME_CONNECTION_CLOSE: return decodeConnectionCloseFrame(r);
    case FRAME_HANDSHAKE_DONE: return decodeHandshakeDoneFrame(r);
    case FRAME_ACK_FREQUENCY: return decodeAckFrequencyFrame(r);
    default: throw new WireError(`unknown frame type 0x${type.toString(16)}`);
  }
}

/** Decodes a whole decrypted packet payload; any defect rejects the packet as a whole. */
export function decodeFrames(payload: Uint8Array): Frame[] {
  if (payload.length === 0) throw new WireError('empty payload');
  const r = new ByteReader(payload);
  const frames: Frame[] = [];
  while (!r.done()) frames.push(decodeOne(r));
  return frames;
}

/** Whether receiving `f` obliges the peer to send an ACK (RFC 9002 §2). */
export function isAckEliciting(f: Frame): boolean {
  return f.type !== 'ack' && f.type !== 'padding' && f.type !== 'connection_close';
}
