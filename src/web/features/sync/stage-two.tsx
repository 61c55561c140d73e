import { Alert, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { mappingAvailable } from '../../api/mapping';
import { keys, useApi, useInfobaseName } from '../../api/queries';
import type { SyncSetting } from '../../api/types';
import { useI18n } from '../../i18n';
import { JobStep } from './job-card';
import { RulesCard } from './rules-card';
import { usePeerTitle } from './settings-list';

function StepTitle({ n, title, done }: { n: number; title: string; done: boolean }) {
  return (
    <Group gap="xs">
      <Badge circle size="lg" color={done ? 'green' : 'blue'} variant={done ? 'filled' : 'light'}>
        {done ? '✓' : n}
      </Badge>
      <Title order={3} size="h4">
        {title}
      </Title>
    </Group>
  );
}

/** Stage 2 in the infobase the setup was created for (S18–S21): rules, map and load, initial export. */
export function StageTwo({ setting }: { setting: SyncSetting }) {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const api = useApi();
  const queryClient = useQueryClient();
  const peerTitle = usePeerTitle();
  const [rulesSaved, setRulesSaved] = useState(false);
  const [loadedHere, setLoadedHere] = useState(false);
  const review = useQuery({
    queryKey: ['mapping-available', ib, setting.id],
    queryFn: () => mappingAvailable(ib, setting.id),
    enabled: !setting.setup.loadDone,
    retry: false,
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.syncSetting(ib, setting.id) });
    void queryClient.invalidateQueries({ queryKey: keys.syncSettings(ib) });
    void queryClient.invalidateQueries({ queryKey: keys.journal(ib) });
    void queryClient.invalidateQueries({ queryKey: ['objects', ib] });
  };
  const { loadDone, initialExportDone } = setting.setup;
  return (
    <Stack>
      <Alert color="blue" title={t('setting.stageTwo')}>
        {t('setting.stageTwoIntro', { name: peerTitle(setting) })}
      </Alert>
      <StepTitle n={1} title={t('setting.stepRules')} done={rulesSaved || loadDone} />
      <RulesCard setting={setting} canSetup onSaved={() => setRulesSaved(true)} />
      <Card withBorder component="section" aria-label={t('setting.stepLoad')}>
        <Stack>
          <StepTitle n={2} title={t('setting.stepLoad')} done={loadDone} />
          <Text size="sm" c="dimmed">
            {t('setting.mapHint')}
          </Text>
          {loadDone && !loadedHere ? (
            <Text size="sm" data-testid="load-done">
              {t('setting.loaded')}
            </Text>
          ) : review.data && !loadedHere ? (
            <div>
              <Button component={Link} to={`/${ib}/sync/${setting.id}/mapping`} data-testid="open-mapping">
                {t('setting.openMapping')}
              </Button>
            </div>
          ) : (
            <JobStep
              start={() => api.load(setting.id)}
              label={t('setting.mapAndLoad')}
              disabled={review.isPending || loadDone}
              onFinished={(job) => {
                if (job.state === 'done') setLoadedHere(true);
                refresh();
              }}
              testId="load"
            />
          )}
        </Stack>
      </Card>
      <Card withBorder component="section" aria-label={t('setting.stepExport')}>
        <Stack>
          <StepTitle n={3} title={t('setting.stepExport')} done={initialExportDone} />
          {initialExportDone ? (
            <Text size="sm">{t('setting.exportDone')}</Text>
          ) : (
            <JobStep
              start={() => api.initialExport(setting.id)}
              label={t('wizard.runExport')}
              disabled={!loadDone}
              onFinished={refresh}
              testId="initial-export"
            />
          )}
        </Stack>
      </Card>
    </Stack>
  );
}
