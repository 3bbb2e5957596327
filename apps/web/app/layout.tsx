import type { ReactNode } from 'react';
import './globals.css';

export const metadata = {
  title: 'cmvc archive',
  description: 'Video kept as keyframes and text, searchable by meaning, regenerated on demand.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <a href="/" className="brand">
            cmvc <span>archive</span>
          </a>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
