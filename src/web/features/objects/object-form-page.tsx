import { Alert, Badge, Button, Card, Checkbox, Group, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { findTypeDef, keys, useApi, useInfobaseName, useMe, useMetadata } from '../../api/queries';
import type { StoredObject, TypeDef } from '../../api/types';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorAlert } from '../../components/error-alert';
import { Loading } from '../../components/loading';
import { PageHeader } from '../../components/page-header';
import { useI18n } from '../../i18n';
import { checkDecimal } from '../../lib/decimal';
import { documentTotals, vatIncludedIn } from '../../lib/document-math';
import { NotFound } from '../layout/not-found';
import { FieldInput } from './field-input';
import {
  computedFields,
  type FieldProblem,
  type FormLine,
  type FormScalar,
  type FormState,
  toFormState,
  toInput,
} from './form-model';
import { LinesEditor } from './lines-editor';
import { presentationOf } from './presentation';
import { ComputedFigures } from './totals';

/** Create or edit a catalog item or document; the form is built from the infobase's metadata. */
export function ObjectFormPage() {
  const { type = '', ref } = useParams();
  const ib = useInfobaseName();
  const api = useApi();
  const metadata = useMetadata();
  const def = findTypeDef(metadata.data, type);
  const object = useQuery({
    queryKey: keys.object(ib, type, ref ?? ''),
    queryFn: () => api.get(type, ref ?? ''),
    enabled: Boolean(ref && def),
    staleTime: 0,
  });
  if (metadata.isPending || (ref && object.isPending)) return <Loading />;
  if (!def) return <NotFound />;
  if (object.error) return <ErrorAlert error={object.error} />;
  return <ObjectForm def={def} original={ref ? object.data : undefined} />;
}

function useProblemText() {
  const { t } = useI18n();
  return (problem: FieldProblem) => t(`objects.fieldErrors.${problem.code}`, { scale: problem.scale ?? 0 });
}

/** The figures of the form as typed: line totals, or the VAT of a payment. */
type Figures = {
  computed: ReturnType<typeof computedFields>;
  pricesIncludeVat: boolean;
  values: Record<string, string>;
  incomplete: boolean;
};

function useFigures(def: TypeDef, state: FormState): Figures {
  const computed = computedFields(def);
  const pricesIncludeVat = state.values.pricesIncludeVat !== false;
  const lines = def.tabularSections.find((section) =>
    section.fields.some((field) => field.name === 'quantity'),
  );
  if (lines) {
    const totals = documentTotals(
      (state.sections[lines.name] ?? []).map((line) => ({
        quantity: asText(line.values.quantity),
        price: asText(line.values.price),
        amount: asText(line.values.amount),
        vatRate: asText(line.values.vatRate),
      })),
      pricesIncludeVat,
    );
    return {
      computed,
      pricesIncludeVat,
      values: { amount: totals.amount, vatAmount: totals.vatAmount },
      incomplete: !totals.complete,
    };
  }
  if (computed.header.has('vatAmount')) {
    const amount = checkDecimal(asText(state.values.amount) ?? '', 2);
    return {
      computed,
      pricesIncludeVat,
      values: { vatAmount: amount.ok ? vatIncludedIn(amount.value, asText(state.values.vatRate)) : '' },
      incomplete: false,
    };
  }
  return { computed, pricesIncludeVat, values: {}, incomplete: false };
}

const asText = (value: FormScalar | undefined) => (typeof value === 'string' ? value : null);

function ObjectForm({ def, original }: { def: TypeDef; original: StoredObject | undefined }) {
  const ib = useInfobaseName();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { t, label, language } = useI18n();
  const me = useMe(ib).data;
  const readOnly = !(me?.permissions.includes('data.write') ?? false);
  const [state, setState] = useState<FormState>(() => toFormState(def, original));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const problemText = useProblemText();
  const figures = useFigures(def, state);
  const listUrl = `/${ib}/data/${def.name}`;

  const setValue = (name: string, value: FormScalar) => {
    setState((current) => ({ ...current, values: { ...current.values, [name]: value } }));
    setProblems(({ [name]: _, ...rest }) => rest);
  };
  const setLines = (section: string, lines: FormLine[]) =>
    setState((current) => ({ ...current, sections: { ...current.sections, [section]: lines } }));

  const afterWrite = async (saved: StoredObject) => {
    queryClient.setQueryData(keys.object(ib, def.name, saved.ref), saved);
    await queryClient.invalidateQueries({ queryKey: keys.objects(ib, def.name) });
  };
  const save = useMutation({
    mutationFn: (input: Record<string, unknown>) =>
      original ? api.update(def.name, original.ref, input) : api.create(def.name, input),
    onSuccess: async (saved) => {
      await afterWrite(saved);
      notifications.show({
        color: 'green',
        message: t('objects.savedNotice', {
          type: label(def.label),
          name: presentationOf(def, saved, language),
        }),
      });
      if (!original) await navigate(`/${ib}/data/${def.name}/${saved.ref}`, { replace: true });
      else setState(toFormState(def, saved));
    },
    onError: (error) => {
      if (error instanceof ApiError) {
        setProblems(Object.fromEntries(error.fields.map((field) => [field.field, field.message])));
      }
    },
  });
  const mark = useMutation({
    mutationFn: (marked: boolean) => api.markForDeletion(def.name, original?.ref ?? '', marked),
    onSuccess: async (saved) => {
      await afterWrite(saved);
      notifications.show({
        message: saved.deleted ? t('objects.markedNotice') : t('objects.unmarkedNotice'),
      });
      setState(toFormState(def, saved));
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const result = toInput(def, state, original);
    const found = Object.entries(result.problems);
    if (found.length > 0) {
      setProblems(Object.fromEntries(found.map(([path, problem]) => [path, problemText(problem)])));
      return;
    }
    save.mutate(result.input);
  };

  const name = original ? presentationOf(def, original, language) : '';
  const identifier = def.kind === 'catalog' ? original?.code : original?.number;
  const title = original
    ? `${label(def.label)} ${identifier ?? ''}`
    : t('objects.newTitle', { type: label(def.label) });
  const headerComputed = def.fields.filter((field) => figures.computed.header.has(field.name));
  const stale = save.error instanceof ApiError && save.error.code === 'version_conflict';

  return (
    <form onSubmit={onSubmit} noValidate aria-label={title}>
      <Stack>
        <PageHeader
          title={title}
          description={original && def.kind === 'catalog' ? name : undefined}
          actions={
            <>
              {original?.deleted && (
                <Badge color="red" variant="light" data-testid="deleted-badge">
                  {t('objects.markedForDeletion')}
                </Badge>
              )}
              <Button component={Link} to={listUrl} variant="default">
                {t('objects.backToList')}
              </Button>
            </>
          }
        />
        <Card withBorder>
          <Stack>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
              {def.kind === 'catalog' ? (
                <TextInput
                  label={t('objects.code')}
                  value={String(state.values.code ?? '')}
                  onChange={(event) => setValue('code', event.currentTarget.value)}
                  placeholder={def.code?.kind === 'natural' ? undefined : t('objects.codeAuto')}
                  required={def.code?.kind === 'natural'}
                  error={problems.code}
                  readOnly={readOnly}
                  data-field="code"
                />
              ) : (
                <>
                  <TextInput
                    label={t('objects.number')}
                    value={String(state.values.number ?? '')}
                    onChange={(event) => setValue('number', event.currentTarget.value)}
                    placeholder={t('objects.numberAuto')}
                    description={original ? undefined : t('objects.numberHint')}
                    error={problems.number}
                    readOnly={readOnly}
                    data-field="number"
                  />
                  <TextInput
                    label={t('objects.date')}
                    type="datetime-local"
                    step={1}
                    value={String(state.values.date ?? '')}
                    onChange={(event) => setValue('date', event.currentTarget.value)}
                    error={problems.date}
                    readOnly={readOnly}
                    data-field="date"
                  />
                  <Checkbox
                    label={t('objects.posted')}
                    checked={state.values.posted === true}
                    onChange={(event) => setValue('posted', event.currentTarget.checked)}
                    disabled={readOnly}
                    mt="lg"
                    data-field="posted"
                  />
                </>
              )}
              {def.fields
                .filter((field) => !figures.computed.header.has(field.name))
                .map((field) => (
                  <FieldInput
                    key={field.name}
                    field={field}
                    value={state.values[field.name] ?? null}
                    onChange={(value) => setValue(field.name, value)}
                    error={problems[field.name]}
                    readOnly={readOnly}
                  />
                ))}
            </SimpleGrid>
          </Stack>
        </Card>
        {def.tabularSections.map((section) => (
          <Card withBorder key={section.name}>
            <LinesEditor
              section={section}
              lines={state.sections[section.name] ?? []}
              onChange={(lines) => setLines(section.name, lines)}
              computed={figures.computed.lines}
              pricesIncludeVat={figures.pricesIncludeVat}
              errors={problems}
              readOnly={readOnly}
            />
          </Card>
        ))}
        <ComputedFigures fields={headerComputed} values={figures.values} incomplete={figures.incomplete} />
        {stale ? (
          <Alert color="yellow" role="alert">
            {t('objects.stale')}{' '}
            <Button size="xs" variant="light" onClick={() => window.location.reload()}>
              {t('objects.reload')}
            </Button>
          </Alert>
        ) : (
          <ErrorAlert error={save.error ?? mark.error} />
        )}
        {!readOnly && (
          <Group>
            <Button type="submit" loading={save.isPending}>
              {t('common.save')}
            </Button>
            {original &&
              (original.deleted ? (
                <Button variant="default" onClick={() => mark.mutate(false)} loading={mark.isPending}>
                  {t('objects.unmark')}
                </Button>
              ) : (
                <ConfirmButton
                  variant="light"
                  color="red"
                  question={t('objects.markConfirm', { name })}
                  onConfirm={() => mark.mutate(true)}
                  loading={mark.isPending}
                >
                  {t('objects.mark')}
                </ConfirmButton>
              ))}
          </Group>
        )}
      </Stack>
    </form>
  );
}
