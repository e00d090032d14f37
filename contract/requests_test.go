package contract

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMarkRequests: a field contract is a request's when each of its types
// travels only in RPC methods' requests, directly or inside another
// message; a response, a type no method or message carries, or a message
// that also sits in one of those, makes it not one.
func TestMarkRequests(t *testing.T) {
	layout := func(nested ...string) *Layout {
		return &Layout{Fields: []WireField{{Key: "1", Nested: nested}}}
	}
	head := &sideState{layouts: map[string]*Layout{
		"api.GetRequest":  layout("api.Filter"), // a request, with a filter inside
		"api.Filter":      layout(),
		"api.GetResponse": layout("api.Item"), // a response
		"api.Item":        layout(),
		"api.PutRequest":  layout("api.Item"), // a request holding what responses hold too
		"api.Echo":        layout(),           // request and response of one method
		"api.Stored":      layout("api.Tag"),  // no method carries it: storage, a queue
		"api.Tag":         layout(),
		"api.TagRequest":  layout("api.Tag"), // a request holding what storage holds
		"api.Msg":         layout(),          // a request with a oneof
		"api.Msg_Text":    layout("api.Body"),
		"api.Body":        layout(),
		"api.Old":         layout(),
	}}
	base := &sideState{layouts: map[string]*Layout{
		"api.Old": layout(), // a request at base only
	}}
	svc := func(carries, requests map[string][]string) *rpcService {
		return &rpcService{carries: carries, requests: requests}
	}
	var ks [2]*kindSide
	ks[Head], ks[Base] = newKindSide(), newKindSide()
	ks[Head].services = []*rpcService{svc(
		map[string][]string{
			"Get":  {"api.GetRequest", "api.GetResponse"},
			"Put":  {"api.PutRequest"},
			"Echo": {"api.Echo"},
			"Tag":  {"api.TagRequest"},
			"Send": {"api.Msg"},
		},
		map[string][]string{
			"Get":  {"api.GetRequest"},
			"Put":  {"api.PutRequest"},
			"Echo": {"api.Echo"},
			"Tag":  {"api.TagRequest"},
			"Send": {"api.Msg"},
		})}
	ks[Base].services = []*rpcService{svc(map[string][]string{"Old": {"api.Old"}}, map[string][]string{"Old": {"api.Old"}})}
	ks[Head].services = append(ks[Head].services, svc(map[string][]string{"Echo": {"api.Echo"}}, map[string][]string{}))

	var contracts []*Contract
	for _, t := range []string{"api.GetRequest", "api.Filter", "api.GetResponse", "api.Item", "api.PutRequest", "api.Echo",
		"api.Stored", "api.Tag", "api.TagRequest", "api.Msg", "api.Msg_Text", "api.Body", "api.Old"} {
		contracts = append(contracts, &Contract{ID: t, Kind: Protobuf, Types: []string{t}})
	}
	contracts = append(contracts,
		&Contract{ID: "bound", Kind: JSON, Types: []string{"api.GetRequest", "api.Stored"}}, // bound to a request and a stored type
		&Contract{ID: "rpc", Kind: RPC, Types: []string{"api.GetRequest"}})
	markRequests(contracts, [2]*sideState{Base: base, Head: head}, ks)
	got := map[string]bool{}
	for _, c := range contracts {
		got[c.ID] = c.Request
	}
	want := map[string]bool{
		"api.GetRequest": true, "api.Filter": true, "api.GetResponse": false, "api.Item": false,
		"api.PutRequest": true, "api.Echo": false, "api.Stored": false, "api.Tag": false, "api.TagRequest": true,
		"api.Msg": true, "api.Msg_Text": true, "api.Body": true, "api.Old": true,
		"bound": false, "rpc": false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Request (-want +got):\n%s", diff)
	}
}
