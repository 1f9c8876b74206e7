import { createBrowserRouter } from 'react-router';
import { AgreementDetailPage, NewAgreementPage } from '../features/agreements/agreement-detail-page.js';
import { AgreementsListPage } from '../features/agreements/agreements-list-page.js';
import { DashboardPage } from '../features/dashboard/dashboard-page.js';
import { ServerKeysPage } from '../features/keys/server-keys-page.js';
import { LoginPage } from '../features/login/login-page.js';
import { SubscriptionDetailPage } from '../features/subscriptions/subscription-detail-page.js';
import { SubscriptionsListPage } from '../features/subscriptions/subscriptions-list-page.js';
import { SenderDetailPage } from '../features/senders/sender-detail-page.js';
import { SendersListPage } from '../features/senders/senders-list-page.js';
import { TransactionDetailPage } from '../features/transactions/transaction-detail-page.js';
import { TransactionsListPage } from '../features/transactions/transactions-list-page.js';
import { GroupDetailPage } from '../features/registry/group-detail-page.js';
import { PersonDetailPage } from '../features/registry/person-detail-page.js';
import { RegistrySearchPage } from '../features/registry/registry-search-page.js';
import { StaffPage } from '../features/staff/staff-page.js';
import { RequireAuth } from './auth.js';
import { Layout } from './layout.js';
import { NotFoundPage } from './not-found-page.js';

/** One route per screen; each feature folder holds its pages and their GraphQL documents. */
export const router = createBrowserRouter(
  [
    { path: '/login', element: <LoginPage /> },
    {
      element: (
        <RequireAuth>
          <Layout />
        </RequireAuth>
      ),
      children: [
        { index: true, element: <DashboardPage /> },
        { path: 'subscriptions', element: <SubscriptionsListPage /> },
        { path: 'subscriptions/:code', element: <SubscriptionDetailPage /> },
        { path: 'keys', element: <ServerKeysPage /> },
        { path: 'senders', element: <SendersListPage /> },
        { path: 'senders/:senderId', element: <SenderDetailPage /> },
        { path: '/transactions', element: <TransactionsListPage /> },
        { path: '/transactions/:id', element: <TransactionDetailPage /> },
        { path: 'registry', element: <RegistrySearchPage /> },
        { path: 'registry/persons/:id', element: <PersonDetailPage /> },
        { path: 'registry/groups/:id', element: <GroupDetailPage /> },
        { path: 'staff', element: <StaffPage /> },
        { path: 'agreements', element: <AgreementsListPage /> },
        { path: 'agreements/new', element: <NewAgreementPage /> },
        { path: 'agreements/:id', element: <AgreementDetailPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ],
  { basename: '/admin' },
);
