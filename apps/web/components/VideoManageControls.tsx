'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { DELETE_VIDEOS, errorMessage, graphql, UPDATE_VIDEO } from '../lib/api.ts';
import { ConfirmDanger } from './Notices.tsx';

/** Edits a video's title and tags (ingest scope) and deletes it after a confirmation (admin scope). */
export function VideoManageControls({
  video,
  canEdit,
  canDelete,
  onChanged,
}: {
  video: { id: string; title: string; tags: string[] };
  canEdit: boolean;
  canDelete: boolean;
  onChanged(): void;
}) {
  const router = useRouter();
  const [mode, setMode] = useState<'idle' | 'editing' | 'confirm-delete' | 'working'>('idle');
  const [title, setTitle] = useState(video.title);
  const [tags, setTags] = useState(video.tags.join(', '));
  const [error, setError] = useState<string | null>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    setMode('working');
    setError(null);
    try {
      const tagList = tags.split(',').map((tag) => tag.trim()).filter(Boolean);
      await graphql(UPDATE_VIDEO, { id: video.id, title, tags: tagList });
      setMode('idle');
      onChanged();
    } catch (caught) {
      setError(errorMessage(caught));
      setMode('editing');
    }
  }

  async function remove() {
    setMode('working');
    setError(null);
    try {
      await graphql(DELETE_VIDEOS, { ids: [video.id] });
      router.push('/');
    } catch (caught) {
      setError(errorMessage(caught));
      setMode('idle');
    }
  }

  if (!canEdit && !canDelete) return null;
  return (
    <div className="video-manage">
      {mode === 'editing' ? (
        <form className="video-edit" onSubmit={(event) => void save(event)}>
          <label>
            Title <input value={title} onChange={(event) => setTitle(event.target.value)} required maxLength={300} />
          </label>
          <label>
            Tags (comma-separated) <input value={tags} onChange={(event) => setTags(event.target.value)} />
          </label>
          <div className="rendition-actions">
            <button type="submit" className="button button-small">Save</button>
            <button type="button" className="button button-small button-ghost" onClick={() => setMode('idle')}>
              Cancel
            </button>
          </div>
        </form>
      ) : mode === 'confirm-delete' ? (
        <ConfirmDanger
          id="delete-warning"
          warning="Delete this video with its keyframes, texts and renditions? This cannot be undone."
          action="Delete video"
          onConfirm={() => void remove()}
          onCancel={() => setMode('idle')}
        />
      ) : (
        <div className="rendition-actions">
          {canEdit && (
            <button type="button" className="button button-small button-ghost" disabled={mode === 'working'} onClick={() => setMode('editing')}>
              Edit title and tags…
            </button>
          )}
          {canDelete && (
            <button type="button" className="button button-small button-ghost" disabled={mode === 'working'} onClick={() => setMode('confirm-delete')}>
              Delete…
            </button>
          )}
        </div>
      )}
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
    </div>
  );
}
