// The app's public surface for the CLI (see api.ts): the four transfers, bound to the real
// transport, plus code helpers. createApp() binds them to other deps (tests).
import { defaultDeps } from '../io/defaults.js';
import type { TransportDeps } from '../io/transport.js';
import type { AppApi, PipeReceiveOptions, PipeSendOptions, ReceiveOptions, SendOptions, TransferSummary } from './api.js';
import { receivePipe as receivePipeWith, sendPipe as sendPipeWith } from './pipe.js';
import { receiveFiles as receiveFilesWith } from './receive.js';
import { sendFiles as sendFilesWith } from './send.js';

export { XferError } from './api.js';
export type * from './api.js';
export { newCode } from './code.js';

export function createApp(deps: TransportDeps): AppApi {
  return {
    sendFiles: (o) => sendFilesWith(deps, o),
    receiveFiles: (o) => receiveFilesWith(deps, o),
    sendPipe: (o) => sendPipeWith(deps, o),
    receivePipe: (o) => receivePipeWith(deps, o),
  };
}

export function sendFiles(o: SendOptions): Promise<TransferSummary> {
  return sendFilesWith(defaultDeps, o);
}

export function receiveFiles(o: ReceiveOptions): Promise<TransferSummary> {
  return receiveFilesWith(defaultDeps, o);
}

export function sendPipe(o: PipeSendOptions): Promise<TransferSummary> {
  return sendPipeWith(defaultDeps, o);
}

export function receivePipe(o: PipeReceiveOptions): Promise<TransferSummary> {
  return receivePipeWith(defaultDeps, o);
}
