import { METHOD_NAMES } from '../../protocol/channels';
import { fail } from '../../protocol/result';
import type { Result } from '../../protocol/result';
import type { Dispatch } from '../core/api';
import { isAppOrigin } from './identity';

/** The part of Electron's ipcMain this file needs; tests pass a fake with the same shape. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
}

export interface IpcEventLike {
  senderFrame: { url: string } | null;
}

/**
 * Registers exactly one ipcMain handler per method of the contract and no catch-all, so a
 * channel outside the contract has no handler at all. Each call is checked first for its sender
 * (only a frame of app://wardline may call; an injected iframe or a navigated-away page may not),
 * then handed to the shared dispatch, which validates the input.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, dispatch: Dispatch): void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(method, async (event, ...args): Promise<Result<unknown>> => {
      const url = event.senderFrame?.url;
      if (!isAppOrigin(url)) {
        return fail('forbidden_sender', `Calls to ${method} are accepted only from Wardline's own window.`);
      }
      if (args.length > 1) return fail('invalid_input', `${method} takes one argument, got ${args.length}.`);
      return dispatch(method, args[0]);
    });
  }
}
