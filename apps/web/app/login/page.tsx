'use client';

import { useState, type FormEvent } from 'react';
import { ApiError, graphql } from '../../lib/api.ts';

const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { name }
  }
`;

/** Where to go after signing in: only same-site paths, never another origin. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export default function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await graphql(LOGIN, { email, password });
      window.location.assign(nextPath());
    } catch (caught) {
      setError(caught instanceof ApiError && caught.code === 'UNAUTHENTICATED' ? 'Wrong email or password.' : 'Could not sign in. Is the archive running?');
      setBusy(false);
    }
  }

  return (
    <section className="login" aria-labelledby="login-heading">
      <h1 id="login-heading">Sign in</h1>
      <form onSubmit={submit}>
        <label htmlFor="login-email">Email</label>
        <input id="login-email" type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
