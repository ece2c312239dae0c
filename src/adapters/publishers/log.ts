import type { Publisher, Reply } from '../../ports.js';

/** Writes each reply as one line: the publisher of the embedded mode, and a record everywhere. */
export class LogPublisher implements Publisher {
  readonly name = 'log';
  constructor(private readonly write: (line: string) => void) {}
  handles(): boolean {
    return true;
  }
  async reply(r: Reply): Promise<void> {
    this.write(`reply to ${r.username ? `@${r.username}` : 'an upload'} (${r.id}): ${r.text}`);
  }
}
