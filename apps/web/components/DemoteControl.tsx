'use client';

import { useState } from 'react';
import { DEMOTE_VIDEO, errorMessage, graphql } from '../lib/api.ts';
import { formatBytes } from '../lib/format.ts';
import { ConfirmDanger } from './Notices.tsx';

/** Drops a video's keyframe images for good (TT2V only), after a second, explicit confirmation. */
export function DemoteControl({ videoId, imageBytes, onDemoted }: { videoId: string; imageBytes: number; onDemoted(): void }) {
  const [step, setStep] = useState<'idle' | 'confirm' | 'working'>('idle');
  const [error, setError] = useState<string | null>(null);

  async function demote() {
    setStep('working');
    setError(null);
    try {
      await graphql(DEMOTE_VIDEO, { id: videoId, to: 'TT2V_ONLY' });
      onDemoted();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setStep('idle');
    }
  }

  return (
    <div className="demote">
      {step === 'confirm' ? (
        <ConfirmDanger
          id="demote-warning"
          className="demote-confirm"
          warning={`Delete the keyframe images (about ${formatBytes(imageBytes)})? Only text-driven regeneration (TT2V) will remain. This cannot be undone.`}
          action="Delete images"
          onConfirm={() => void demote()}
          onCancel={() => setStep('idle')}
        />
      ) : (
        <button type="button" className="button button-small button-ghost" disabled={step === 'working'} onClick={() => setStep('confirm')}>
          {step === 'working' ? 'Moving to text only…' : 'Keep text only…'}
        </button>
      )}
      {error && (
        <p role="alert" className="error small">
          Could not change the storage tier: {error}
        </p>
      )}
    </div>
  );
}
