// deflate.js — inflate/deflate through the platform's (De)CompressionStream,
// with an output limit. No DOM.
import { concat } from './bytes.js';
import { fail } from './errors.js';

// Inflates data ('deflate-raw' or 'deflate' = zlib). Stops with
// ShroudError(code) if the output would pass limit bytes or the stream is
// corrupt, truncated or followed by junk.
export async function inflate(data, format, limit, code = 'IMAGE') {
  const ds = new DecompressionStream(format);
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  const writing = writer.write(data).then(() => writer.close()).catch(() => {});
  const parts = [];
  let total = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        reader.cancel().catch(() => {});
        fail(code, 'inflates to more than expected');
      }
      parts.push(value);
    }
  } catch (e) {
    if (e && e.name === 'ShroudError') throw e;
    fail(code, 'corrupt compressed data');
  }
  await writing;
  return concat(...parts);
}

// Deflates data ('deflate' = zlib, 'deflate-raw').
export async function deflate(data, format = 'deflate') {
  const cs = new CompressionStream(format);
  const writer = cs.writable.getWriter();
  writer.write(data);
  writer.close();
  const parts = [];
  const reader = cs.readable.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return concat(...parts);
}
