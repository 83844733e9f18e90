package saml

import (
	"time"

	"github.com/crewjam/saml"

	"github.com/gatehouse-sso/gatehouse"
)

// bearerMethod is the SubjectConfirmation Method of the web browser SSO
// profile.
const bearerMethod = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

// timeLayout formats instants in refusal details.
const timeLayout = time.RFC3339

// checkTimes applies the connection's clock skew to a response crewjam/saml
// accepted with its own, wider MaxClockSkew (180 s), and returns an upper
// bound of the instant from which ParseResponse refuses the assertion: the
// replay record must outlive it.
func (s *ServiceProvider) checkTimes(v *verified, now time.Time) (time.Time, error) {
	a := v.assertion
	// SAML core 3.2.2 and 2.3.3: an IssueInstant in the future beyond the
	// skew is refused; crewjam/saml bounds its age by MaxIssueDelay.
	for _, issued := range []struct {
		what string
		at   time.Time
	}{{"Response", v.response.IssueInstant}, {"Assertion", a.IssueInstant}} {
		if issued.at.Add(-s.skew).After(now) {
			return time.Time{}, gatehouse.Refusef(gatehouse.RefusalNotYetValid, "the %s was issued at %s, later than now (%s) plus the allowed clock skew of %s",
				issued.what, issued.at.UTC().Format(timeLayout), now.UTC().Format(timeLayout), s.skew)
		}
	}
	// crewjam/saml accepts up to and including IssueInstant+MaxIssueDelay;
	// one more second makes the bound exclusive.
	deadline := earliest(v.response.IssueInstant, a.IssueInstant).Add(saml.MaxIssueDelay + time.Second)
	if c := a.Conditions; c != nil {
		// SAML core 2.5.1.2: NotBefore and NotOnOrAfter, within the skew.
		if c.NotBefore.Add(-s.skew).After(now) {
			return time.Time{}, gatehouse.Refusef(gatehouse.RefusalNotYetValid, "the assertion's Conditions are valid from %s, later than now (%s) plus the allowed clock skew of %s",
				c.NotBefore.UTC().Format(timeLayout), now.UTC().Format(timeLayout), s.skew)
		}
		if !c.NotOnOrAfter.IsZero() {
			end := c.NotOnOrAfter.Add(s.skew)
			if !now.Before(end) {
				return time.Time{}, gatehouse.Refusef(gatehouse.RefusalExpired, "the assertion's Conditions expired at %s; now is %s and the allowed clock skew %s",
					c.NotOnOrAfter.UTC().Format(timeLayout), now.UTC().Format(timeLayout), s.skew)
			}
			deadline = earliest(deadline, end)
		}
	}
	end, err := s.checkBearer(a, v.response.InResponseTo, now)
	if err != nil {
		return time.Time{}, err
	}
	return earliest(deadline, end).UTC(), nil
}

// checkBearer finds a bearer SubjectConfirmation that holds at now within
// the skew and returns when the last such one ends. SAML profiles 4.1.4.2:
// its SubjectConfirmationData names the ACS URL as Recipient, the request
// as InResponseTo and a NotOnOrAfter; SAML core 2.4.1: any one that holds
// confirms the subject.
func (s *ServiceProvider) checkBearer(a *saml.Assertion, inResponseTo string, now time.Time) (time.Time, error) {
	var latest time.Time
	var first error
	for _, sc := range a.Subject.SubjectConfirmations {
		d := sc.SubjectConfirmationData
		if sc.Method != bearerMethod || d == nil {
			continue
		}
		end := d.NotOnOrAfter.Add(s.skew)
		var err error
		switch {
		case d.Recipient != s.acsURL:
			err = gatehouse.Refusef(gatehouse.RefusalWrongDestination, "the SubjectConfirmationData Recipient is %q; expected this ACS URL %q", clip(d.Recipient), s.acsURL)
		case d.InResponseTo != inResponseTo:
			err = gatehouse.Refusef(gatehouse.RefusalUnknownRequest, "the SubjectConfirmationData answers request %q, not %q", clip(d.InResponseTo), clip(inResponseTo))
		case d.NotBefore.Add(-s.skew).After(now):
			err = gatehouse.Refusef(gatehouse.RefusalNotYetValid, "the SubjectConfirmationData is valid from %s, later than now (%s) plus the allowed clock skew of %s",
				d.NotBefore.UTC().Format(timeLayout), now.UTC().Format(timeLayout), s.skew)
		case !now.Before(end):
			err = gatehouse.Refusef(gatehouse.RefusalExpired, "the SubjectConfirmationData expired at %s; now is %s and the allowed clock skew %s",
				d.NotOnOrAfter.UTC().Format(timeLayout), now.UTC().Format(timeLayout), s.skew)
		}
		switch {
		case err == nil && end.After(latest):
			latest = end
		case err != nil && first == nil:
			first = err
		}
	}
	if !latest.IsZero() {
		return latest, nil
	}
	if first == nil {
		first = gatehouse.Refusef(gatehouse.RefusalInvalid, "the assertion has no bearer SubjectConfirmation")
	}
	return time.Time{}, first
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
