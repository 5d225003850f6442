/**
 * Reads a text file a line at a time from a stream, so a log of any size is
 * read in bounded memory: a chunk and the line being read, never the file.
 * (node:readline would do the splitting, but it holds a line however long it
 * grows; this bounds it.) Problems come back as sentences a person can act on:
 * "no such file", "permission denied", "is a directory", "line N is longer than …".
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Longer than any event or ticket line slawatch writes (a message's text is at most tens of kB). */
export const MAX_LINE_LENGTH = 4 * 1024 * 1024;

export class InputFileError extends Error {
  override name = 'InputFileError';
}

/** The lines of `file`, without their "\n" or "\r\n"; a last line without a newline is a line too. */
export async function* readLines(file: string, maxLength = MAX_LINE_LENGTH): AsyncGenerator<string> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    if ((await handle.stat()).isDirectory()) throw new InputFileError(`cannot read "${file}": it is a directory`);
    const tooLong = (lineNo: number) => new InputFileError(`cannot read "${file}": line ${lineNo} is longer than ${maxLength} characters`);
    let partial = '';
    let lineNo = 0;
    const stream = handle.createReadStream({ encoding: 'utf8', autoClose: false, highWaterMark: 1 << 16 });
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        let start = 0;
        for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
          const line = partial + chunk.slice(start, end);
          partial = '';
          start = end + 1;
          lineNo += 1;
          if (line.length > maxLength + 1) throw tooLong(lineNo);
          yield line.endsWith('\r') ? line.slice(0, -1) : line;
        }
        partial += chunk.slice(start);
        if (partial.length > maxLength + 1) throw tooLong(lineNo + 1);
      }
    } catch (error) {
      throw error instanceof InputFileError ? error : unreadable(file, error);
    }
    if (partial) {
      if (partial.length > maxLength) throw tooLong(lineNo + 1);
      yield partial;
    }
  } finally {
    await handle.close();
  }
}

function unreadable(file: string, error: unknown): InputFileError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
  return new InputFileError(`cannot read "${file}": ${reason}`, { cause: error });
}
