// The app as the CLI process sees it, loaded on first use: --help, usage errors and the checks
// before a transfer never need the transport, its crypto or the file machinery, and loading
// them is most of what a start costs.
import { newCode } from '../app/code.js';
import type { CliApp } from './context.js';
import { trace } from '../io/trace.js';

type AppModule = typeof import('../app/index.js');

let loading: Promise<AppModule> | null = null;
const load = (): Promise<AppModule> => (loading ??= loadApp());

async function loadApp(): Promise<AppModule> {
  trace('cli: loading the app');
  const app = await import('../app/index.js');
  trace('cli: app loaded');
  return app;
}

export const lazyApp: CliApp = {
  newCode,
  sendFiles: async (o) => (await load()).sendFiles(o),
  receiveFiles: async (o) => (await load()).receiveFiles(o),
  sendPipe: async (o) => (await load()).sendPipe(o),
  receivePipe: async (o) => (await load()).receivePipe(o),
};
