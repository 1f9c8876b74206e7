import { createBrowserRouter } from 'react-router';
import { AgreementDetailPage, NewAgreementPage } from '../features/agreements/agreement-detail-page.js';
import { AgreementsListPage } from '../features/agreements/agreements-list-page.js';
import { DashboardPage } from '../features/dashboard/dashboard-page.js';
import { LoginPage } from '../features/login/login-page.js';
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
        { path: 'agreements', element: <AgreementsListPage /> },
        { path: 'agreements/new', element: <NewAgreementPage /> },
        { path: 'agreements/:id', element: <AgreementDetailPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ],
  { basename: '/admin' },
);
