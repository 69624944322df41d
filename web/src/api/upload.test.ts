import { describe, expect, it } from 'vitest';
import { kindForFile, xhrError } from './upload';

describe('upload helpers', () => {
  it('reads the error shape', () => {
    const e = xhrError(409, 'Conflict', JSON.stringify({ error: { code: 'quota_exceeded', message: 'full' } }));
    expect(e.code).toBe('quota_exceeded');
    expect(e.status).toBe(409);
  });
  it('maps a bare 413 to payload_too_large', () => {
    expect(xhrError(413, 'Payload Too Large', '<html>').code).toBe('payload_too_large');
  });
  it('keeps the field of a validation error', () => {
    const e = xhrError(422, '', JSON.stringify({ error: { code: 'validation_failed', message: 'not a picture', field: 'file' } }));
    expect(e.field).toBe('file');
  });
  it('picks the kind from the MIME type', () => {
    expect(kindForFile({ type: 'image/png' })).toBe('image');
    expect(kindForFile({ type: 'image/svg+xml' })).toBe('file');
    expect(kindForFile({ type: 'application/pdf' })).toBe('file');
  });
});
