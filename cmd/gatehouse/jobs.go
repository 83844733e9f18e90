package main

import (
	"context"
	"time"

	"github.com/gatehouse-sso/gatehouse/audit"
)

// jobInterval is how often each node runs the housekeeping jobs. Every
// job is safe to run on several nodes at once.
const jobInterval = 10 * time.Minute

// startJobs runs the housekeeping jobs in the background until Close:
// purging ended sessions, expired pending logins and replay records;
// expiring old audit events; removing tokens unused for 60 days;
// refreshing IdP metadata that is due.
func (m *Main) startJobs() {
	ctx, stop := context.WithCancel(context.Background())
	m.stop = stop
	m.jobs.Add(1)
	go func() {
		defer m.jobs.Done()
		t := time.NewTicker(jobInterval)
		defer t.Stop()
		for {
			m.runJobs(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// runJobs runs each job once and logs what it did or why it failed.
func (m *Main) runJobs(ctx context.Context) {
	if p, err := m.Login.Purge(ctx); err != nil {
		m.Logger.Error("purge logins", "err", err)
	} else if p.Sessions+p.AuthnRequests+p.Assertions > 0 {
		m.Logger.Info("purged", "sessions", p.Sessions, "authn_requests", p.AuthnRequests, "assertions", p.Assertions)
	}
	if n, err := audit.Expire(ctx, m.Store, time.Now()); err != nil {
		m.Logger.Error("expire audit events", "err", err)
	} else if n > 0 {
		m.Logger.Info("expired audit events", "count", n)
	}
	if ks, err := m.Tokens.Expire(ctx); err != nil {
		m.Logger.Error("remove unused tokens", "err", err)
	} else if len(ks) > 0 {
		m.Logger.Info("removed unused tokens", "count", len(ks))
	}
	if err := m.Admin.RefreshDueMetadata(ctx); err != nil {
		m.Logger.Warn("refresh idp metadata", "err", err)
	}
}
