package web

import (
	"net/http"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

type userJSON struct {
	ID          int64      `json:"id"`
	Login       string     `json:"login" desc:"Globally unique. SSO users: the login attribute, slugged, plus a random suffix."`
	Name        string     `json:"name"`
	Email       string     `json:"email,omitempty"`
	Kind        string     `json:"kind" desc:"sso or local."`
	Active      bool       `json:"active"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
}

func toUserJSON(u *gatehouse.User) userJSON {
	return userJSON{ID: u.ID, Login: u.Login, Name: u.Name, Email: u.Email, Kind: u.Kind, Active: u.Active, CreatedAt: u.CreatedAt,
		LastLoginAt: optionalTime(u.LastLoginAt)}
}

type createUserRequest struct {
	Login    string `json:"login" desc:"2 to 64 lowercase letters, digits, '.', '_' and '-'."`
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"`
	Password string `json:"password" desc:"At least 12 characters."`
}

type updateUserRequest struct {
	Name     *string `json:"name,omitempty"`
	Email    *string `json:"email,omitempty"`
	Password *string `json:"password,omitempty" desc:"At least 12 characters."`
	Active   *bool   `json:"active,omitempty" desc:"false deactivates the user: their sessions and tokens end at once."`
}

func (s *Server) userRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/users", tag: "users", summary: "List users, or look one up by email",
			query: []queryParam{{"email", "Only users with this email (case-insensitive).", "string"},
				{"enterprise", "Only the SSO users of this enterprise (required unless you are the operator).", "string"}},
			response: []userJSON{}, status: 200, handle: s.handleListUsers},
		{method: "POST", pattern: "/api/v1/users", tag: "users", summary: "Create a local user (operator)",
			request: &createUserRequest{}, response: userJSON{}, status: 201, handle: s.handleCreateUser},
		{method: "GET", pattern: "/api/v1/users/{login}", tag: "users", summary: "Get a user",
			response: userJSON{}, status: 200, handle: s.handleGetUser},
		{method: "PATCH", pattern: "/api/v1/users/{login}", tag: "users", summary: "Change a local user, or (de)activate a user",
			request: &updateUserRequest{}, response: userJSON{}, status: 200, handle: s.handleUpdateUser},
		{method: "DELETE", pattern: "/api/v1/users/{login}", tag: "users", summary: "Delete a user with their memberships, tokens and sessions",
			status: 204, handle: s.handleDeleteUser},
	}
}

// handleListUsers handles "GET /api/v1/users".
func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	q := r.URL.Query()
	us, err := s.cfg.Admin.ListUsers(r.Context(), a, admin.UserQuery{Enterprise: q.Get("enterprise"), Email: q.Get("email")})
	if err != nil {
		return err
	}
	writeList(w, us, toUserJSON)
	return nil
}

// handleCreateUser handles "POST /api/v1/users".
func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req createUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u := &gatehouse.User{Login: req.Login, Name: req.Name, Email: req.Email}
	if err := s.cfg.Admin.CreateLocalUser(r.Context(), a, u, req.Password); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.Login)
	writeJSON(w, http.StatusCreated, toUserJSON(u))
	return nil
}

// handleGetUser handles "GET /api/v1/users/{login}".
func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	u, err := s.cfg.Admin.User(r.Context(), a, r.PathValue("login"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toUserJSON(u))
	return nil
}

// handleUpdateUser handles "PATCH /api/v1/users/{login}".
func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	var req updateUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u, err := s.cfg.Admin.UpdateUser(r.Context(), a, r.PathValue("login"),
		admin.UserUpdate{Name: req.Name, Email: req.Email, Password: req.Password, Active: req.Active})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toUserJSON(u))
	return nil
}

// handleDeleteUser handles "DELETE /api/v1/users/{login}".
func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error {
	return noContent(w, s.cfg.Admin.DeleteUser(r.Context(), a, r.PathValue("login")))
}
