import {
  Badge,
  Button,
  Group,
  Pagination,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { findTypeDef, keys, useApi, useInfobaseName, useMe, useMetadata } from '../../api/queries';
import type { StoredObject, TypeDef } from '../../api/types';
import { ErrorAlert } from '../../components/error-alert';
import { Loading } from '../../components/loading';
import { PageHeader } from '../../components/page-header';
import { useI18n } from '../../i18n';
import { formatDocumentDate } from '../../lib/format';
import { NotFound } from '../layout/not-found';
import { FieldText } from './cell-value';
import { type Column, listColumns } from './columns';

const PAGE_SIZE = 20;

function ColumnHeader({
  column,
  title,
  sort,
  order,
  onSort,
}: {
  column: Column;
  title: string;
  sort: string;
  order: 'asc' | 'desc';
  onSort: (key: string) => void;
}) {
  const { t } = useI18n();
  if (!column.sortable) return <Table.Th>{title}</Table.Th>;
  const sorted = sort === column.key;
  return (
    <Table.Th aria-sort={sorted ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <UnstyledButton
        onClick={() => onSort(column.key)}
        aria-label={t('objects.sortBy', { column: title })}
        fw={600}
      >
        {title} {sorted ? (order === 'asc' ? '▲' : '▼') : ''}
      </UnstyledButton>
    </Table.Th>
  );
}

function Cell({ column, object }: { column: Column; object: StoredObject }) {
  const { t, language } = useI18n();
  if (column.field) return <FieldText field={column.field} value={object[column.key]} />;
  if (column.key === 'date') return <>{formatDocumentDate(object.date, language)}</>;
  if (column.key === 'posted') return <>{object.posted ? t('common.yes') : t('common.no')}</>;
  return <>{String(object[column.key] ?? '')}</>;
}

function useColumnTitle(def: TypeDef) {
  const { t, label } = useI18n();
  return (column: Column) => {
    if (column.field) return label(column.field.label);
    if (column.key === 'code') return t('objects.code');
    if (column.key === 'number') return t('objects.number');
    if (column.key === 'date') return t('objects.date');
    if (column.key === 'posted') return t('objects.posted');
    return `${def.name}.${column.key}`;
  };
}

/** A catalog or a document journal: search, sorting by any column, pages, and the deletion marks. */
export function ObjectListPage() {
  const { type = '' } = useParams();
  const metadata = useMetadata();
  const def = findTypeDef(metadata.data, type);
  if (metadata.isPending) return <Loading />;
  if (!def) return <NotFound />;
  return <ObjectList key={type} def={def} />;
}

function ObjectList({ def }: { def: TypeDef }) {
  const ib = useInfobaseName();
  const api = useApi();
  const navigate = useNavigate();
  const { t, label } = useI18n();
  const me = useMe(ib).data;
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [debouncedSearch] = useDebouncedValue(search, 250);
  const page = Number(params.get('page') ?? '1') || 1;
  const sort = params.get('sort') ?? (def.kind === 'document' ? 'date' : (def.presentation[0] ?? 'code'));
  const order = (params.get('order') ?? (def.kind === 'document' && !params.get('sort') ? 'desc' : 'asc')) as
    | 'asc'
    | 'desc';
  const includeDeleted = params.get('deleted') === '1';
  const update = (change: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(change)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    setParams(next, { replace: true });
  };
  useEffect(() => {
    if ((params.get('q') ?? '') !== debouncedSearch) update({ q: debouncedSearch, page: null });
  });
  const list = useQuery({
    queryKey: [...keys.objects(ib, def.name), { page, sort, order, search: debouncedSearch, includeDeleted }],
    queryFn: () =>
      api.list(def.name, {
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
        sort,
        order,
        search: debouncedSearch,
        includeDeleted,
      }),
    placeholderData: keepPreviousData,
  });
  const columns = listColumns(def);
  const columnTitle = useColumnTitle(def);
  const onSort = (key: string) =>
    update({ sort: key, order: sort === key && order === 'asc' ? 'desc' : 'asc', page: null });
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const canWrite = me?.permissions.includes('data.write') ?? false;

  return (
    <Stack>
      <PageHeader
        title={label(def.pluralLabel)}
        actions={
          canWrite && (
            <Button component={Link} to={`/${ib}/data/${def.name}/new`}>
              {t('objects.create')}
            </Button>
          )
        }
      />
      <Group align="flex-end" gap="md">
        <TextInput
          label={t('common.search')}
          placeholder={t('common.searchPlaceholder')}
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          type="search"
          style={{ flex: '1 1 240px' }}
        />
        <Switch
          label={t('objects.showDeleted')}
          checked={includeDeleted}
          onChange={(event) => update({ deleted: event.currentTarget.checked ? '1' : null, page: null })}
          mb={8}
        />
      </Group>
      <ErrorAlert error={list.error} />
      {list.isPending ? (
        <Loading />
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table
            striped
            highlightOnHover
            withTableBorder
            aria-label={label(def.pluralLabel)}
            data-list={def.name}
          >
            <Table.Thead>
              <Table.Tr>
                {columns.map((column) => (
                  <ColumnHeader
                    key={column.key}
                    column={column}
                    title={columnTitle(column)}
                    sort={sort}
                    order={order}
                    onSort={onSort}
                  />
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data?.items.map((object) => (
                <Table.Tr
                  key={object.ref}
                  data-ref={object.ref}
                  data-deleted={object.deleted}
                  style={{ cursor: 'pointer', textDecoration: object.deleted ? 'line-through' : undefined }}
                  onClick={() => navigate(`/${ib}/data/${def.name}/${object.ref}`)}
                >
                  {columns.map((column, index) => (
                    <Table.Td
                      key={column.key}
                      data-column={column.key}
                      ta={column.field?.type.kind === 'decimal' ? 'right' : undefined}
                      style={column.system ? { whiteSpace: 'nowrap' } : undefined}
                    >
                      {index === 0 ? (
                        <Group gap={6} wrap="nowrap">
                          <Link
                            to={`/${ib}/data/${def.name}/${object.ref}`}
                            onClick={(event) => event.stopPropagation()}
                          >
                            <Cell column={column} object={object} />
                          </Link>
                          {object.deleted && (
                            <Badge color="red" variant="light" size="xs">
                              {t('objects.markedForDeletion')}
                            </Badge>
                          )}
                        </Group>
                      ) : (
                        <Cell column={column} object={object} />
                      )}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {list.data && list.data.items.length === 0 && <Text c="dimmed">{t('objects.empty')}</Text>}
      <Group justify="space-between">
        <Text size="sm" c="dimmed" data-testid="list-total">
          {t('common.total', { count: total })}
        </Text>
        {pages > 1 && (
          <Pagination
            total={pages}
            value={page}
            onChange={(value) => update({ page: value === 1 ? null : String(value) })}
            getControlProps={(control) => ({ 'aria-label': `${control}` })}
            getItemProps={(item) => ({ 'aria-label': `${t('common.pageOf')} ${item}` })}
          />
        )}
      </Group>
    </Stack>
  );
}
