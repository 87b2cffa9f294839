// What the transports (Electron IPC, web bridge, CLI) need from the core's service.
import type { EventPayloads, LabCommands, Unsubscribe } from '../../../src-shared/index.ts';

export interface LabServiceLike extends LabCommands {
  onRunEvent(listener: (event: EventPayloads['onRunEvent']) => void): Unsubscribe;
  /** Stops running trainers (status stopped) and closes the database. */
  close(): Promise<void>;
}
