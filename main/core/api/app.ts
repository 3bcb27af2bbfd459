import type { Core } from '../core';
import type { Handlers } from './dispatch';

export function appHandlers(core: Core): Pick<Handlers, 'app.info'> {
  return {
    'app.info': () => ({
      name: 'Wardline',
      version: core.options.version,
      host: core.options.host,
      platform: process.platform,
    }),
  };
}
