import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { shareCspNonce } from './csp-nonce';
import { setupI18n } from './i18n';

const root = document.getElementById('root');
if (!root) throw new Error('the page has no #root element');

shareCspNonce();
await setupI18n();
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
