package saml

import (
	"bytes"
	"errors"
	"fmt"
)

// maxDepth bounds the nesting of elements in a Response or in metadata.
// A Response nests about a dozen levels (Response, EncryptedAssertion,
// EncryptedData, KeyInfo, EncryptedKey, ...); crewjam/saml stops at 64.
const maxDepth = 32

// Namespaces the scan resolves.
const (
	dsigNamespace      = "http://www.w3.org/2000/09/xmldsig#"
	xmlnsAttributeName = "xmlns"
)

// errDeclaration, errTooDeep and errStructure are the refusals of scan.
var (
	errDeclaration = errors.New("the document has a DOCTYPE or another declaration, which Gatehouse never accepts")
	errTooDeep     = fmt.Errorf("elements are nested more than %d levels deep", maxDepth)
	errStructure   = errors.New("the document is not one well-formed XML element")
)

// A shape is what one pass over the bytes of a document tells before any
// XML parser reads it: whether it may be parsed at all, and how its root
// element's children are arranged. It lets ParseResponse enforce what
// crewjam/saml does not without parsing the document a second time.
type shape struct {
	// root is the local name of the root element.
	root string
	// destination is the root element's Destination attribute as written
	// (entity references not expanded); hasDestination says if it is there.
	destination    string
	hasDestination bool
	// assertions and encrypted count the root's children whose local name is
	// Assertion and EncryptedAssertion, in any namespace, so that they never
	// count fewer than the parser finds.
	assertions, encrypted int
	// responseSigned is set when the root has a ds:Signature child, and
	// assertionSigned when one of its Assertion children has one. Each is
	// set only when the namespace is written exactly, so that it is never
	// set for an element the parser would not take for a signature.
	responseSigned, assertionSigned bool
}

// scan reads doc once, as an XML lexer would, and refuses what Gatehouse
// never parses: any <!DOCTYPE> or other declaration (the only place where
// entities can be declared), nesting deeper than maxDepth, and content
// that is not a single root element. It allocates nothing for documents
// it accepts, apart from the strings of shape.
func scan(doc []byte) (shape, error) {
	s := scanner{doc: doc}
	return s.run()
}

// A scanner is the state of one scan.
type scanner struct {
	doc   []byte
	pos   int
	depth int
	roots int
	shape shape
	// ns holds the namespace declarations of the open elements at depths 1
	// to 3, the only ones whose namespaces the scan resolves.
	ns [3][]nsDecl
	// inAssertion is set while the open element at depth 2 is an Assertion.
	inAssertion bool
}

// An nsDecl is one namespace declaration: prefix ("" for the default
// namespace) and URI exactly as written.
type nsDecl struct{ prefix, uri []byte }

func (s *scanner) run() (shape, error) {
	for {
		i := bytes.IndexByte(s.doc[s.pos:], '<')
		if i < 0 {
			break
		}
		s.pos += i
		if err := s.markup(); err != nil {
			return shape{}, err
		}
	}
	if s.roots != 1 || s.depth != 0 {
		return shape{}, errStructure
	}
	return s.shape, nil
}

// markup reads the markup that starts at s.pos, a '<'.
func (s *scanner) markup() error {
	rest := s.doc[s.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		return s.skipPast([]byte("-->"))
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return s.skipPast([]byte("]]>"))
	case bytes.HasPrefix(rest, []byte("<!")):
		// XML 1.0 §2.8: the document type declaration, and with it every
		// entity declaration. SPEC §3.3: no DTD or entities.
		return errDeclaration
	case bytes.HasPrefix(rest, []byte("<?")):
		return s.skipPast([]byte("?>"))
	case bytes.HasPrefix(rest, []byte("</")):
		return s.endTag()
	}
	return s.startTag()
}

// skipPast moves s.pos past the next end, or fails when there is none.
func (s *scanner) skipPast(end []byte) error {
	i := bytes.Index(s.doc[s.pos:], end)
	if i < 0 {
		return errStructure
	}
	s.pos += i + len(end)
	return nil
}

func (s *scanner) endTag() error {
	if err := s.skipPast([]byte(">")); err != nil {
		return err
	}
	if s.depth == 0 {
		return errStructure
	}
	if s.depth == 2 {
		s.inAssertion = false
	}
	s.depth--
	return nil
}

// startTag reads a start tag or an empty-element tag.
func (s *scanner) startTag() error {
	s.pos++ // '<'
	name := s.name()
	if len(name) == 0 {
		return errStructure
	}
	if s.depth == 0 {
		s.roots++
		if s.roots > 1 {
			return errStructure
		}
	}
	s.depth++
	if s.depth > maxDepth {
		return errTooDeep
	}
	if s.depth <= len(s.ns) {
		s.ns[s.depth-1] = s.ns[s.depth-1][:0]
	}
	empty, err := s.attributes()
	if err != nil {
		return err
	}
	s.element(name)
	if empty {
		if s.depth == 2 {
			s.inAssertion = false
		}
		s.depth--
	}
	return nil
}

// element records what the shape needs to know of the element name that
// was just opened at s.depth.
func (s *scanner) element(name []byte) {
	prefix, local := splitName(name)
	switch s.depth {
	case 1:
		s.shape.root = string(local)
	case 2:
		switch string(local) {
		case "Assertion":
			s.shape.assertions++
			s.inAssertion = true
		case "EncryptedAssertion":
			s.shape.encrypted++
		case "Signature":
			if s.namespace(prefix) == dsigNamespace {
				s.shape.responseSigned = true
			}
		}
	case 3:
		if s.inAssertion && string(local) == "Signature" && s.namespace(prefix) == dsigNamespace {
			s.shape.assertionSigned = true
		}
	}
}

// namespace resolves prefix for the element open at s.depth (at most 3),
// innermost declaration first. It returns "" when the prefix is not
// declared.
func (s *scanner) namespace(prefix []byte) string {
	for d := s.depth - 1; d >= 0; d-- {
		for _, decl := range s.ns[d] {
			if bytes.Equal(decl.prefix, prefix) {
				return string(decl.uri)
			}
		}
	}
	return ""
}

// name reads an XML name at s.pos.
func (s *scanner) name() []byte {
	start := s.pos
	for s.pos < len(s.doc) && !isSpace(s.doc[s.pos]) && s.doc[s.pos] != '>' && s.doc[s.pos] != '/' && s.doc[s.pos] != '=' {
		s.pos++
	}
	return s.doc[start:s.pos]
}

// attributes reads the attributes of a start tag up to its closing '>' and
// reports whether the tag was an empty-element tag ("/>"). It records the
// namespace declarations of the first three levels and the root's
// Destination.
func (s *scanner) attributes() (empty bool, err error) {
	for {
		s.skipSpace()
		if s.pos >= len(s.doc) {
			return false, errStructure
		}
		switch s.doc[s.pos] {
		case '>':
			s.pos++
			return false, nil
		case '/':
			if s.pos+1 < len(s.doc) && s.doc[s.pos+1] == '>' {
				s.pos += 2
				return true, nil
			}
			return false, errStructure
		}
		name := s.name()
		s.skipSpace()
		if len(name) == 0 || s.pos >= len(s.doc) || s.doc[s.pos] != '=' {
			return false, errStructure
		}
		s.pos++
		s.skipSpace()
		value, ok := s.quoted()
		if !ok {
			return false, errStructure
		}
		s.attribute(name, value)
	}
}

// attribute records the attribute name="value" of the element open at
// s.depth when the shape needs it.
func (s *scanner) attribute(name, value []byte) {
	if s.depth == 1 && string(name) == "Destination" {
		s.shape.destination, s.shape.hasDestination = string(value), true
	}
	if s.depth > len(s.ns) {
		return
	}
	prefix, local := splitName(name)
	switch {
	case len(prefix) == 0 && string(local) == xmlnsAttributeName:
		s.ns[s.depth-1] = append(s.ns[s.depth-1], nsDecl{uri: value})
	case string(prefix) == xmlnsAttributeName:
		s.ns[s.depth-1] = append(s.ns[s.depth-1], nsDecl{prefix: local, uri: value})
	}
}

// quoted reads a quoted attribute value and returns it without its quotes.
func (s *scanner) quoted() ([]byte, bool) {
	if s.pos >= len(s.doc) || (s.doc[s.pos] != '"' && s.doc[s.pos] != '\'') {
		return nil, false
	}
	quote := s.doc[s.pos]
	end := bytes.IndexByte(s.doc[s.pos+1:], quote)
	if end < 0 {
		return nil, false
	}
	value := s.doc[s.pos+1 : s.pos+1+end]
	s.pos += end + 2
	return value, true
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.doc) && isSpace(s.doc[s.pos]) {
		s.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// splitName splits a qualified name into its prefix and local part.
func splitName(name []byte) (prefix, local []byte) {
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return nil, name
}
