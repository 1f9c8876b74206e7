import { createBrowserRouter } from 'react-router';
import { DashboardPage } from '../features/dashboard/dashboard-page.js';
import { LoginPage } from '../features/login/login-page.js';
import { TransactionDetailPage } from '../features/transactions/transaction-detail-page.js';
import { TransactionsListPage } from '../features/transactions/transactions-list-page.js';
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
        { path: '/transactions', element: <TransactionsListPage /> },
        { path: '/transactions/:id', element: <TransactionDetailPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ],
  { basename: '/admin' },
);
