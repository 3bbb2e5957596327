/** Sends one file to POST /uploads with progress events (fetch has no upload progress, XHR does). */
export class UploadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface UploadHandle {
  readonly done: Promise<{ uploadId: string; bytes: number }>;
  abort(): void;
}

export function uploadFile(file: File, onProgress: (fraction: number) => void): UploadHandle {
  const request = new XMLHttpRequest();
  const done = new Promise<{ uploadId: string; bytes: number }>((resolve, reject) => {
    request.open('POST', '/uploads');
    request.setRequestHeader('content-type', file.type.startsWith('video/') ? file.type : 'application/octet-stream');
    request.responseType = 'json';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      const body = request.response as { uploadId?: string; bytes?: number; error?: { code?: string; message?: string } } | null;
      if (request.status >= 200 && request.status < 300 && body?.uploadId) {
        onProgress(1);
        resolve({ uploadId: body.uploadId, bytes: body.bytes ?? file.size });
      } else {
        const code = body?.error?.code ?? (request.status === 413 ? 'TOO_LARGE' : 'UPLOAD_FAILED');
        reject(new UploadError(code, body?.error?.message ?? `HTTP ${request.status}`));
      }
    };
    request.onerror = () => reject(new UploadError('UPLOAD_FAILED', 'Network error during upload'));
    request.onabort = () => reject(new UploadError('ABORTED', 'Upload cancelled'));
    request.send(file);
  });
  return { done, abort: () => request.abort() };
}
