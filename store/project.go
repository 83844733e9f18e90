package store

import "github.com/gatehouse-sso/gatehouse"

// Projects stores projects.
type Projects interface {
	// CreateProject inserts p and sets p.ID. A key taken in the
	// organization is ErrConflict.
	CreateProject(p *gatehouse.Project) error
	// Project returns the organization's project with key.
	Project(organizationID int64, key string) (*gatehouse.Project, error)
	// ListProjects returns the organization's projects, by key.
	ListProjects(organizationID int64) ([]*gatehouse.Project, error)
	// UpdateProject writes p's name.
	UpdateProject(p *gatehouse.Project) error
	// DeleteProject removes the project, and removes it from the scope of
	// every organization token. A token whose scope was that project alone
	// is deleted: an empty scope would mean every project.
	DeleteProject(id int64) error
}
