import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // A second build directory (e.g. NEXT_DIST_DIR=.next/alt) lets a test build run beside a live `next start`.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
};

export default config;
