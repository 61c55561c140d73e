import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname);

/** The API a dev server forwards to: `npm run dev` serves it on 8080. */
const apiTarget = process.env.IBSYNC_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    // One bundle for a handful of screens; Mantine makes it larger than Vite's default warning.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '^/api/': apiTarget,
      '^/[a-z][a-z0-9_]*/(api|exchange)/': apiTarget,
    },
  },
});
