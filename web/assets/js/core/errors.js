// errors.js — the one error type of the page's parsers and crypto: a code
// (shroud's error name) and a sentence for the user. No DOM.

export class ShroudError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'ShroudError';
    this.code = code;
  }
}

// The sentences of shroud_strerror (src/crypto/errors.c), so the page and the
// command say the same thing.
export const MESSAGES = {
  NOT_SHROUD: 'not a shroud message (no shroud magic or armor)',
  VERSION: 'unsupported shroud format version (made by a newer shroud?)',
  HEADER: 'malformed message header (corrupted or not a shroud message)',
  HEADER_MAC: 'header authentication failed: the message was modified or corrupted',
  NO_IDENTITY: 'no identity matches: the message was not encrypted to any of the given keys',
  PASSPHRASE: 'wrong passphrase (or the message was modified)',
  NEED_PASSPHRASE: 'the message is encrypted with a passphrase, but none was given',
  PAYLOAD: 'payload authentication failed: the message was modified or corrupted',
  TRUNCATED: 'the message is truncated',
  COMMITMENT: 'payload key commitment mismatch: the message was modified or corrupted',
  KEY: 'malformed or unsupported key',
  KEY_CHECKSUM: 'key checksum mismatch (mistyped or truncated key?)',
  KEY_SIZE: 'RSA key size must be 2048 to 4096 bits',
  WORK_FACTOR: 'key derivation cost outside the accepted range',
  LIMIT: 'a size limit was exceeded',
  IMAGE: 'malformed or corrupt image file',
  IMAGE_FORMAT: 'unsupported image: expected a PNG or a JPEG (8-bit, baseline or progressive)',
  IMAGE_LIMIT: "image too large: it exceeds shroud's pixel or chunk size limits",
  NO_RECORD: 'the image carries no shroud redaction record',
  RECORD: 'malformed redaction record (corrupted?)',
  RECORD_MISMATCH:
    'the redaction record does not belong to this image (copied from another image, ' +
    'or the image was edited after redaction)',
  RECORD_EDITED: "the image's region list was edited: it differs from the sealed one",
};

// Throws ShroudError(code) with shroud's sentence, or with detail appended.
export function fail(code, detail) {
  const base = MESSAGES[code] || code;
  throw new ShroudError(code, detail ? `${base}: ${detail}` : base);
}
