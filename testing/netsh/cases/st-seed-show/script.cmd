netsh ipsec static show all format=list wide=no
netsh ipsec static show filteraction name="ExampleFilterAction" level=verbose format=table wide=yes
netsh ipsec static show filterlist all level=verbose format=list resolvedns=no wide=yes
netsh ipsec static show gpoassignedpolicy name=MyGPO
netsh ipsec static show policy name=MyPolicy all level=verbose format=list wide=yes
netsh ipsec static show rule name=MyRule id=123 all policy=MyPolicy type=tunnel level=verbose format=table wide=yes
netsh ipsec dynamic show all
netsh interface portproxy show all
netsh ipsec dump
