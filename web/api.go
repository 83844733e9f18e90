package web

import (
	"crypto/subtle"
	"net/http"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
)

// A route is one operation of the REST API: how it is served and how
// openapi.json describes it.
type route struct {
	method  string
	pattern string // a net/http pattern path, e.g. /api/v1/groups/{id}
	tag     string
	summary string
	// request is a pointer to the zero value of the body type, or nil.
	request any
	// response is the zero value of the success body type, or nil for 204.
	response any
	status   int
	query    []queryParam
	handle   func(w http.ResponseWriter, r *http.Request, a gatehouse.Actor) error
	// ownAuth marks a route whose handler authenticates the bearer token
	// itself and gets the zero Actor: the access check, which organization
	// tokens may call.
	ownAuth bool
}

// A queryParam documents one query parameter.
type queryParam struct {
	name, desc, typ string
}

// api serves rt: it authenticates the caller and renders any error.
func (s *Server) api(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a gatehouse.Actor
		var err error
		if !rt.ownAuth {
			a, err = s.authenticate(r)
		}
		if err == nil {
			err = rt.handle(w, r, a)
		}
		if err != nil {
			s.renderError(w, r, err)
		}
	})
}

// authenticate returns the actor of r's bearer token: the operator, or
// the user of a personal token, whose permissions the services then apply.
// Organization tokens are refused: they answer access checks only.
func (s *Server) authenticate(r *http.Request) (gatehouse.Actor, error) {
	if r.Header.Get("Authorization") == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) && cookieValue(r, sessionCookie) != "" {
		return s.authenticateSession(r)
	}
	tok, err := bearerToken(r)
	if err != nil {
		return gatehouse.Actor{}, err
	}
	if s.isOperatorToken(tok) {
		return gatehouse.Operator, nil
	}
	p, err := s.cfg.Tokens.Authenticate(r.Context(), tok, s.clientAddr(r))
	if err != nil {
		return gatehouse.Actor{}, err
	}
	if p.User == nil {
		return gatehouse.Actor{}, errOrganizationToken
	}
	return gatehouse.UserActor(p.User), nil
}

// errOrganizationToken refuses an organization token on a route other
// than the access check.
var errOrganizationToken = gatehouse.Errorf(gatehouse.EFORBIDDEN,
	"Organization tokens (gsot_) are for analysis: they only answer access checks, GET /api/v1/authz/check. Use a personal token (gat_) for the rest of the API.")

// bearerToken returns the token of r's Authorization header.
func bearerToken(r *http.Request) (string, error) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", gatehouse.Errorf(gatehouse.EUNAUTHORIZED, "Send a token in the Authorization header: \"Authorization: Bearer <token>\".")
	}
	return tok, nil
}

// isOperatorToken reports, in constant time, whether tok is the operator token.
func (s *Server) isOperatorToken(tok string) bool {
	return s.cfg.OperatorToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.OperatorToken)) == 1
}

// authenticateSession returns the actor of r's session cookie. The API
// accepts it only for reads (GET, HEAD), which a cross-site page cannot
// abuse; every change needs a bearer token.
func (s *Server) authenticateSession(r *http.Request) (gatehouse.Actor, error) {
	_, u, err := s.sessionUser(r)
	if err != nil {
		return gatehouse.Actor{}, err
	}
	return gatehouse.UserActor(u), nil
}

// pathID parses the path value name as a positive ID.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, gatehouse.Errorf(gatehouse.ENOTFOUND, "No %s %q: it must be a positive number.", name, r.PathValue(name))
	}
	return id, nil
}

// apiRoutes is the REST API.
func (s *Server) apiRoutes() []route {
	var rs []route
	for _, group := range [][]route{
		s.enterpriseRoutes(), s.organizationRoutes(), s.groupRoutes(), s.projectRoutes(),
		s.userRoutes(), s.auditRoutes(), s.meRoutes(), s.ssoRoutes(), s.tokenRoutes(), s.authzRoutes(),
	} {
		rs = append(rs, group...)
	}
	return rs
}

// runtimeName returns the method name of rt's handler, e.g. handleGetGroup.
func runtimeName(rt route) string {
	name := runtime.FuncForPC(reflect.ValueOf(rt.handle).Pointer()).Name()
	name = name[strings.LastIndex(name, ".")+1:]
	return strings.TrimSuffix(name, "-fm")
}
