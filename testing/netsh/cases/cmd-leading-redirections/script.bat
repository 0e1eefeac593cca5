>nul 2>&1 netsh ipsec static add policy name=P assign=yes
2>nul netsh ipsec static add filteraction name=B action=block
> "%TEMP%\log.txt" netsh ipsec static add filter filterlist=L srcaddr=any dstaddr=me protocol=tcp dstport=445
netsh ipsec static add rule name=R policy=P filterlist=L filteraction=B
