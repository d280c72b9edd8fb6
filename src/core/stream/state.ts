// Stream state machines after RFC 9000 §3, bidirectional streams only: each stream has one
// sending part (SendState) and one receiving part (RecvState), driven independently.
//
// Sending part:
//
//   ready --send_data--> send --send_fin--> data_sent --all_acked--> data_recvd
//     |  \________________send_fin_______________/^        |
//     |                     |                              |
//     +--------reset--------+------------reset-------------+--> reset_sent --reset_acked--> reset_recvd
//
// Receiving part:
//
//   recv --recv_fin--> size_known --all_received--> data_recvd --app_read_all--> data_read
//     |                    |                            |
//     +----recv_reset------+--------recv_reset----------+--> reset_recvd --app_read_reset--> reset_read
//
// Choices where the RFC leaves freedom:
// - A RESET_STREAM in 'data_recvd' is honoured (unread data is dropped): the peer aborted, and
//   telling the application so is more useful than handing it data the sender gave up on.
// - A stream whose reader called stopSending() has nobody left to deliver to, so it goes from
//   'data_recvd' straight to 'data_read' and from a reset straight to 'reset_read'.
//
// Transition functions are total: an event that does not apply leaves the state unchanged, so
// duplicated or late frames never move a stream backwards.

export type SendState = 'ready' | 'send' | 'data_sent' | 'data_recvd' | 'reset_sent' | 'reset_recvd';
export type SendEvent = 'send_data' | 'send_fin' | 'all_acked' | 'reset' | 'reset_acked';

export type RecvState = 'recv' | 'size_known' | 'data_recvd' | 'data_read' | 'reset_recvd' | 'reset_read';
export type RecvEvent = 'recv_fin' | 'all_received' | 'app_read_all' | 'recv_reset' | 'app_read_reset';

const SEND_TRANSITIONS: Record<SendState, Partial<Record<SendEvent, SendState>>> = {
  ready: { send_data: 'send', send_fin: 'data_sent', reset: 'reset_sent' },
  send: { send_fin: 'data_sent', reset: 'reset_sent' },
  data_sent: { all_acked: 'data_recvd', reset: 'reset_sent' },
  data_recvd: {},
  reset_sent: { reset_acked: 'reset_recvd' },
  reset_recvd: {},
};

const RECV_TRANSITIONS: Record<RecvState, Partial<Record<RecvEvent, RecvState>>> = {
  recv: { recv_fin: 'size_known', recv_reset: 'reset_recvd' },
  size_known: { all_received: 'data_recvd', recv_reset: 'reset_recvd' },
  data_recvd: { app_read_all: 'data_read', recv_reset: 'reset_recvd' },
  data_read: {},
  reset_recvd: { app_read_reset: 'reset_read' },
  reset_read: {},
};

/** The sending state after `event`, or `state` itself when the event does not apply there. */
export function nextSendState(state: SendState, event: SendEvent): SendState {
  return SEND_TRANSITIONS[state][event] ?? state;
}

/** The receiving state after `event`, or `state` itself when the event does not apply there. */
export function nextRecvState(state: RecvState, event: RecvEvent): RecvState {
  return RECV_TRANSITIONS[state][event] ?? state;
}

/** The sending part has nothing more to do (all data acknowledged, or the reset acknowledged). */
export function isSendTerminal(state: SendState): boolean {
  return state === 'data_recvd' || state === 'reset_recvd';
}

/** The sending part was abandoned with RESET_STREAM. */
export function isSendReset(state: SendState): boolean {
  return state === 'reset_sent' || state === 'reset_recvd';
}

/** The receiving part has nothing more to deliver to the application. */
export function isRecvTerminal(state: RecvState): boolean {
  return state === 'data_read' || state === 'reset_read';
}

/** The peer abandoned its sending part with RESET_STREAM. */
export function isRecvReset(state: RecvState): boolean {
  return state === 'reset_recvd' || state === 'reset_read';
}
