import { Stack } from '@mantine/core';
import { useMe } from '../../app/auth.js';
import { PageHeader } from '../../lib/ui.js';
import { ApiTokensSection } from './api-tokens-section.js';
import { AuditLogSection } from './audit-log-section.js';
import { StaffAccountsSection } from './staff-accounts-section.js';

/** Everyone manages their own API tokens; admins also manage staff accounts; admins and auditors read the audit log. */
export function StaffPage() {
  const me = useMe();
  return (
    <>
      <PageHeader title="Staff and API tokens" description={`Signed in as ${me.email} (${me.role}).`} />
      <Stack>
        {me.role === 'admin' && <StaffAccountsSection />}
        <ApiTokensSection />
        {(me.role === 'admin' || me.role === 'auditor') && <AuditLogSection />}
      </Stack>
    </>
  );
}
