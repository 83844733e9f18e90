package store

import "github.com/gatehouse-sso/gatehouse"

// Enterprises stores enterprises and their administrators.
type Enterprises interface {
	// CreateEnterprise inserts e and sets e.ID. A taken key is ErrConflict.
	CreateEnterprise(e *gatehouse.Enterprise) error
	// Enterprise returns the enterprise with key.
	Enterprise(key string) (*gatehouse.Enterprise, error)
	// EnterpriseByID returns the enterprise with id.
	EnterpriseByID(id int64) (*gatehouse.Enterprise, error)
	// ListEnterprises returns every enterprise, by key.
	ListEnterprises() ([]*gatehouse.Enterprise, error)
	// UpdateEnterprise writes e's name and IP allow list.
	UpdateEnterprise(e *gatehouse.Enterprise) error
	// DeleteEnterprise removes the enterprise with id, with its SSO
	// connection, pending requests, replay cache and administrators. It is
	// ErrConflict while organizations or users still belong to it.
	DeleteEnterprise(id int64) error

	// AddEnterpriseAdmin makes the user an administrator of the enterprise.
	// It is ErrConflict if they already are, or if either does not exist.
	AddEnterpriseAdmin(enterpriseID, userID int64) error
	// RemoveEnterpriseAdmin ends it; ErrNotFound if they were not one.
	RemoveEnterpriseAdmin(enterpriseID, userID int64) error
	// EnterpriseAdmins returns the administrators of the enterprise, by login.
	EnterpriseAdmins(enterpriseID int64) ([]*gatehouse.User, error)
	// AdminEnterpriseIDs returns the IDs of the enterprises the user
	// administers, ascending.
	AdminEnterpriseIDs(userID int64) ([]int64, error)
}
