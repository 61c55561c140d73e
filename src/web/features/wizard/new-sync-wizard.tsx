import { Alert, Anchor, Button, Card, Group, Stack, Stepper, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { keys, useApi, useInfobaseName, useInfobaseSettings, useMetadata } from '../../api/queries';
import type { ConnectionTest, Job } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { Loading } from '../../components/loading';
import { PageHeader } from '../../components/page-header';
import { useI18n } from '../../i18n';
import { JobStep } from '../sync/job-card';
import { RulesForm } from '../sync/rules-form';
import { ApplicationStep, ConnectionStep, PrefixStep } from './steps';
import {
  connectionOf,
  currentTest,
  initialWizardState,
  parametersKey,
  type WizardState,
} from './wizard-state';

const STEPS = ['application', 'connection', 'prefix', 'rules', 'export'] as const;

/**
 * New data synchronization (S12–S17) as a stepper. Every step that talks to the host is idempotent there,
 * so Back, Next, and Next pressed twice are all safe (S14): creating the setting again finds it.
 */
export function NewSyncWizard() {
  const { t } = useI18n();
  const ib = useInfobaseName();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const mobile = useMediaQuery('(max-width: 48em)');
  const metadata = useMetadata().data;
  const settings = useInfobaseSettings();
  const [active, setActive] = useState(0);
  const [state, setState] = useState<WizardState>(() => initialWizardState(metadata?.application));
  const [exported, setExported] = useState(false);
  const update = (change: Partial<WizardState>) => setState((current) => ({ ...current, ...change }));

  const test = useMutation({
    mutationFn: () => api.testConnection(connectionOf(state)),
    onSuccess: (result: ConnectionTest) => update({ test: { parameters: parametersKey(state), result } }),
  });
  const connect = useMutation({
    mutationFn: () => {
      const tested = currentTest(state);
      const needsPrefix = tested?.ok && !tested.peer.prefix;
      return api.connect({
        ...connectionOf(state),
        ...(needsPrefix ? { peerPrefix: state.peerPrefix.trim() } : {}),
      });
    },
    onSuccess: (setting) => {
      update({ setting, rules: state.setting ? state.rules : setting.rules });
      void queryClient.invalidateQueries({ queryKey: keys.syncSettings(ib) });
      setActive(3);
    },
  });
  const rules = useMutation({
    mutationFn: () => api.setRules(state.setting?.id ?? '', state.rules),
    onSuccess: (setting) => {
      update({ setting });
      setActive(4);
    },
  });

  if (settings.isPending) return <Loading />;
  const own = settings.data;
  const blocked = !own?.syncEnabled ? t('sync.enableFirst') : !own.prefix ? t('sync.prefixFirst') : undefined;

  const next = async () => {
    if (active === 1) {
      const known = currentTest(state);
      const result = known ?? (await test.mutateAsync());
      if (result.ok) setActive(2);
      return;
    }
    if (active === 2) return connect.mutate();
    if (active === 3) return rules.mutate();
    setActive((step) => Math.min(step + 1, STEPS.length - 1));
  };
  const busy = test.isPending || connect.isPending || rules.isPending;
  const tested = currentTest(state);
  const nextDisabled =
    (active === 1 && (!state.url || !state.login)) ||
    (active === 2 &&
      tested?.ok === true &&
      !tested.peer.prefix &&
      !/^[\p{L}\p{N}]{2}$/u.test(state.peerPrefix.trim())) ||
    (active === 3 && state.rules.documents === 'since' && !state.rules.documentsSince);

  return (
    <Stack>
      <PageHeader
        title={t('wizard.title')}
        actions={
          <Button component={Link} to={`/${ib}/sync`} variant="default">
            {t('common.cancel')}
          </Button>
        }
      />
      {blocked ? (
        <Alert color="yellow">
          {blocked}{' '}
          <Anchor component={Link} to={`/${ib}/sync`}>
            {t('sync.title')}
          </Anchor>
        </Alert>
      ) : (
        <Card withBorder padding="lg">
          <Stepper
            active={active}
            orientation={mobile ? 'vertical' : 'horizontal'}
            allowNextStepsSelect={false}
            size="sm"
          >
            <Stepper.Step label={t('wizard.steps.application')}>
              <ApplicationStep state={state} update={update} />
            </Stepper.Step>
            <Stepper.Step label={t('wizard.steps.connection')}>
              <ConnectionStep
                state={state}
                update={update}
                onTest={() => test.mutate()}
                testing={test.isPending}
                error={test.error}
              />
            </Stepper.Step>
            <Stepper.Step label={t('wizard.steps.prefix')}>
              <PrefixStep state={state} update={update} ownPrefix={own?.prefix ?? ''} error={connect.error} />
            </Stepper.Step>
            <Stepper.Step label={t('wizard.steps.rules')}>
              <Stack>
                <RulesForm value={state.rules} onChange={(value) => update({ rules: value })} />
                <ErrorAlert error={rules.error} />
              </Stack>
            </Stepper.Step>
            <Stepper.Step label={t('wizard.steps.export')}>
              <Stack>
                <Text>{t('wizard.exportIntro')}</Text>
                {state.setting && (
                  <JobStep
                    start={() => api.initialExport(state.setting?.id ?? '')}
                    label={t('wizard.runExport')}
                    testId="initial-export"
                    onFinished={(job: Job) => {
                      if (job.state === 'done') setExported(true);
                      void queryClient.invalidateQueries({ queryKey: keys.syncSettings(ib) });
                    }}
                  />
                )}
                {exported && (
                  <Alert color="green" data-testid="export-done">
                    {t('wizard.exportDone')}{' '}
                    {state.url && (
                      <Anchor
                        href={`${state.url.trim().replace(/\/$/, '')}/sync`}
                        target="_blank"
                        rel="noreferrer"
                      >
                        {t('wizard.openPeer')}
                      </Anchor>
                    )}
                  </Alert>
                )}
              </Stack>
            </Stepper.Step>
          </Stepper>
          <Group justify="space-between" mt="xl">
            <Button
              variant="default"
              onClick={() => setActive((step) => Math.max(0, step - 1))}
              disabled={active === 0 || busy}
            >
              {t('common.back')}
            </Button>
            {active < STEPS.length - 1 ? (
              <Button
                onClick={() => void next()}
                loading={busy}
                disabled={nextDisabled}
                data-testid="wizard-next"
              >
                {t('common.next')}
              </Button>
            ) : (
              <Button
                disabled={!exported}
                onClick={() => navigate(state.setting ? `/${ib}/sync/${state.setting.id}` : `/${ib}/sync`)}
                data-testid="wizard-finish"
              >
                {t('wizard.finish')}
              </Button>
            )}
          </Group>
        </Card>
      )}
    </Stack>
  );
}
