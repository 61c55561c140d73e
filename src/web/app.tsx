import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter, Route, Routes, useParams } from 'react-router';
import { cspNonce } from './csp-nonce';
import { LoginPage } from './features/auth/login-page';
import { HostPage } from './features/host/host-page';
import { JournalEntryPage } from './features/journal/journal-entry-page';
import { JournalPage } from './features/journal/journal-page';
import { InfobaseHome } from './features/layout/infobase-home';
import { InfobaseLayout } from './features/layout/infobase-layout';
import { NotFound } from './features/layout/not-found';
import { MappingReviewPage } from './features/mapping/mapping-review-page';
import { ObjectFormPage } from './features/objects/object-form-page';
import { ObjectListPage } from './features/objects/object-list-page';
import { SettingPage } from './features/sync/setting-page';
import { SyncPage } from './features/sync/sync-page';
import { UsersPage } from './features/users/users-page';
import { NewSyncWizard } from './features/wizard/new-sync-wizard';
import { createQueryClient } from './query-client';
import { theme } from './theme';

/** A form starts afresh for each object, so nothing typed for one shows up in another. */
function ObjectFormRoute() {
  const { type, ref } = useParams();
  return <ObjectFormPage key={`${type}/${ref ?? 'new'}`} />;
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  const nonce = cspNonce();
  return (
    <MantineProvider theme={theme} {...(nonce ? { getStyleNonce: () => nonce } : {})}>
      <Notifications position="bottom-right" autoClose={3000} limit={3} />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <Routes>
            <Route path="/" element={<HostPage />} />
            <Route path="/:ib/login" element={<LoginPage />} />
            <Route path="/:ib" element={<InfobaseLayout />}>
              <Route index element={<InfobaseHome />} />
              <Route path="data/:type" element={<ObjectListPage />} />
              <Route path="data/:type/new" element={<ObjectFormRoute />} />
              <Route path="data/:type/:ref" element={<ObjectFormRoute />} />
              <Route path="users" element={<UsersPage />} />
              <Route path="sync" element={<SyncPage />} />
              <Route path="sync/new" element={<NewSyncWizard />} />
              <Route path="sync/journal" element={<JournalPage />} />
              <Route path="sync/journal/:entryId" element={<JournalEntryPage />} />
              <Route path="sync/:id" element={<SettingPage />} />
              <Route path="sync/:id/mapping" element={<MappingReviewPage />} />
              <Route path="*" element={<NotFound />} />
            </Route>
            <Route path="*" element={<NotFound />} />
          </Routes>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
