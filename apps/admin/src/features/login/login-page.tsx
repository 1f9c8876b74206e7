import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { graphql, request, userErrorText } from '../../lib/graphql.js';

const LoginMutation = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      staff {
        email
        role
      }
      userErrors {
        field
        message
      }
    }
  }
`);

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => request(LoginMutation, { email, password }),
    onSuccess: async (data) => {
      if (!data.login.staff) return;
      await queryClient.resetQueries();
      const next = params.get('next');
      // Only a path inside the console: never an outside address.
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    },
  });
  const problem = login.error?.message ?? (login.data && !login.data.login.staff ? userErrorText(login.data.login.userErrors) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  return (
    <Center h="100vh" bg="gray.0">
      <Paper component="form" onSubmit={submit} withBorder shadow="sm" p="xl" w={380} radius="md">
        <Stack>
          <Title order={2}>DCI Server console</Title>
          {params.get('next') && !problem && <Alert color="blue">Please sign in to continue.</Alert>}
          {problem && (
            <Alert color="red" title="Sign-in failed" role="alert">
              {problem}
            </Alert>
          )}
          <TextInput label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} autoFocus />
          <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <Button type="submit" loading={login.isPending}>
            Sign in
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
