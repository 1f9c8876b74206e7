import { AppShell, Badge, Button, Group, NavLink, ScrollArea, Text, Title } from '@mantine/core';
import { IconActivity, IconBuildingCommunity, IconFileCertificate, IconGauge, IconKey, IconListSearch, IconSend, IconUsers } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { NavLink as RouterLink, Outlet, useNavigate } from 'react-router';
import { graphql, request } from '../lib/graphql.js';
import { useMe } from './auth.js';

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

/** The console's sections; `roles` hides what a role may not open at all. */
const SECTIONS = [
  { to: '/', label: 'Dashboard', icon: IconGauge, end: true },
  { to: '/senders', label: 'Senders', icon: IconSend },
  { to: '/agreements', label: 'Agreements', icon: IconFileCertificate },
  { to: '/subscriptions', label: 'Subscriptions', icon: IconActivity },
  { to: '/transactions', label: 'Transactions', icon: IconListSearch },
  { to: '/registry', label: 'Registry', icon: IconBuildingCommunity },
  { to: '/keys', label: 'Server keys', icon: IconKey },
  { to: '/staff', label: 'Staff and tokens', icon: IconUsers },
];

export function Layout() {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const logout = useMutation({
    mutationFn: () => request(LogoutMutation),
    onSettled: () => {
      queryClient.clear();
      navigate('/login', { replace: true });
    },
  });
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm' }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={3}>DCI Server console</Title>
          <Group gap="sm">
            <Text size="sm">{me.email}</Text>
            <Badge variant="light">{me.role}</Badge>
            <Button variant="subtle" size="xs" onClick={() => logout.mutate()} loading={logout.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Sections">
        <ScrollArea>
          {SECTIONS.map(({ to, label, icon: Icon, end }) => (
            <NavLink key={to} component={RouterLink} to={to} end={end} label={label} leftSection={<Icon size={18} stroke={1.5} />} />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
