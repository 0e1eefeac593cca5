netsh ipsec static add policy name=SecurePolicy
netsh ipsec static add filteraction name=B action=block
netsh ipsec static add filter filterlist=L srcaddr=me dstaddr=any
netsh ipsec static add rule name=WebServerRule policy=SecurePolicy filterlist=L filteraction=B
netsh ipsec static add rule name=Other policy=SecurePolicy filterlist=L filteraction=B
netsh ipsec static delete rule name=WebServerRule policy=SecurePolicy
netsh ipsec static delete rule id=1 policy=SecurePolicy
netsh ipsec static delete rule name=Missing policy=SecurePolicy
netsh ipsec static delete policy name=SecurePolicy
netsh ipsec static delete policy name=SecurePolicy
