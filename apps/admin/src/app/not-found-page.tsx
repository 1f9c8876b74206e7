import { Anchor } from '@mantine/core';
import { Link } from 'react-router';
import { EmptyState, PageHeader } from '../lib/ui.js';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Not found" />
      <EmptyState>
        There is no such page in the console.{' '}
        <Anchor component={Link} to="/">
          Back to the dashboard
        </Anchor>
      </EmptyState>
    </>
  );
}
