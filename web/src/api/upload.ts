// File uploads (POST /api/v1/files) over XMLHttpRequest, which reports upload progress.
import { ApiError, CSRF_COOKIE, notifyUnauthorized, readCookie } from './client';

export type UploadKind = 'image' | 'file' | 'voice';

export interface UploadedFile {
  id: string;
  kind: UploadKind;
  name: string;
  content_type: string;
  size: number;
  width?: number | null;
  height?: number | null;
  duration_ms?: number | null;
  url?: string;
  thumbnail_url?: string | null;
  created_at?: number;
}

export interface UploadOptions {
  kind: UploadKind;
  /** File name sent with the part (defaults to the File's own name). */
  name?: string;
  /** Voice messages: length in milliseconds. */
  durationMs?: number;
  /** Called with 0…1 while the bytes go out. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** Turns an XHR error answer into an ApiError (same shape as the fetch wrapper's). */
export function xhrError(status: number, statusText: string, body: string): ApiError {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: string; message?: string; field?: string | null } };
    if (parsed?.error && typeof parsed.error.message === 'string') {
      return new ApiError(status, parsed.error.code ?? 'error', parsed.error.message, parsed.error.field ?? null);
    }
  } catch {
    /* not JSON */
  }
  if (status === 413) return new ApiError(413, 'payload_too_large', statusText || 'Payload too large');
  if (status === 0) return new ApiError(0, 'network_error', 'Network error');
  const text = body.trim() && body.length < 300 ? body.trim() : `${status} ${statusText}`.trim();
  return new ApiError(status, `http_${status}`, text);
}

/** Uploads one file; resolves with the server's file record. */
export function uploadFile(file: Blob, opts: UploadOptions): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append('kind', opts.kind);
    if (opts.durationMs !== undefined) form.append('duration_ms', String(Math.max(1, Math.round(opts.durationMs))));
    const name = opts.name ?? (file instanceof File ? file.name : opts.kind === 'voice' ? 'voice.webm' : 'upload');
    form.append('file', file, name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/files');
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) opts.onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          opts.onProgress?.(1);
          resolve(JSON.parse(xhr.responseText) as UploadedFile);
        } catch {
          reject(new ApiError(xhr.status, 'internal_error', 'Invalid answer'));
        }
        return;
      }
      const err = xhrError(xhr.status, xhr.statusText, xhr.responseText ?? '');
      if (err.status === 401) notifyUnauthorized(err);
      reject(err);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'Network error'));
    xhr.onabort = () => reject(new DOMException('Aborted', 'AbortError'));
    opts.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}

/** Upload kind for a picked or pasted file: pictures the server can decode are images. */
export function kindForFile(file: { type: string }): 'image' | 'file' {
  return /^image\/(png|jpe?g|gif|webp)$/i.test(file.type) ? 'image' : 'file';
}
