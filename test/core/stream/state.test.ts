import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  nextRecvState,
  nextSendState,
  isRecvTerminal,
  isSendTerminal,
  type RecvEvent,
  type RecvState,
  type SendEvent,
  type SendState,
} from '../../../src/core/stream/state.js';

const SEND_STATES: SendState[] = ['ready', 'send', 'data_sent', 'data_recvd', 'reset_sent', 'reset_recvd'];
const SEND_EVENTS: SendEvent[] = ['send_data', 'send_fin', 'all_acked', 'reset', 'reset_acked'];
const RECV_STATES: RecvState[] = ['recv', 'size_known', 'data_recvd', 'data_read', 'reset_recvd', 'reset_read'];
const RECV_EVENTS: RecvEvent[] = ['recv_fin', 'all_received', 'app_read_all', 'recv_reset', 'app_read_reset'];

describe('stream states', () => {
  test('send side follows RFC 9000 §3.1', () => {
    let s: SendState = 'ready';
    s = nextSendState(s, 'send_data');
    assert.equal(s, 'send');
    s = nextSendState(s, 'all_acked');
    assert.equal(s, 'send', 'acks before FIN do not complete the stream');
    s = nextSendState(s, 'send_fin');
    assert.equal(s, 'data_sent');
    s = nextSendState(s, 'all_acked');
    assert.equal(s, 'data_recvd');
    assert.equal(nextSendState(s, 'reset'), 'data_recvd', 'a completed stream cannot be reset');
    assert.equal(nextSendState(nextSendState('data_sent', 'reset'), 'reset_acked'), 'reset_recvd');
  });

  test('recv side follows RFC 9000 §3.2', () => {
    let s: RecvState = 'recv';
    assert.equal(nextRecvState(s, 'all_received'), 'recv', 'completion needs a known size');
    s = nextRecvState(s, 'recv_fin');
    assert.equal(s, 'size_known');
    s = nextRecvState(s, 'all_received');
    assert.equal(s, 'data_recvd');
    s = nextRecvState(s, 'app_read_all');
    assert.equal(s, 'data_read');
    assert.equal(nextRecvState(s, 'recv_reset'), 'data_read');
    assert.equal(nextRecvState(nextRecvState('size_known', 'recv_reset'), 'app_read_reset'), 'reset_read');
  });

  test('terminal states absorb every event', () => {
    for (const st of SEND_STATES.filter(isSendTerminal)) {
      for (const e of SEND_EVENTS) assert.equal(nextSendState(st, e), st, `${st} + ${e}`);
    }
    for (const st of RECV_STATES.filter(isRecvTerminal)) {
      for (const e of RECV_EVENTS) assert.equal(nextRecvState(st, e), st, `${st} + ${e}`);
    }
    assert.deepEqual(SEND_STATES.filter(isSendTerminal), ['data_recvd', 'reset_recvd']);
    assert.deepEqual(RECV_STATES.filter(isRecvTerminal), ['data_read', 'reset_read']);
  });

  test('no event ever leaves a reset state for a data state', () => {
    for (const e of SEND_EVENTS) assert.match(nextSendState('reset_sent', e), /^reset_/);
    for (const e of RECV_EVENTS) assert.match(nextRecvState('reset_recvd', e), /^reset_/);
  });
});
