netsh ipsec static add policy name=P assign=yes && echo done
netsh ipsec static add filteraction name=B action=block >nul 2>&1
if errorlevel 1 ( netsh ipsec static add filter filterlist=L srcaddr=me dstaddr=10.9.9.9 )
netsh ipsec static add rule name=R policy=P filterlist=L filteraction=B | findstr OK
ipseccmd -p "X" -r "Y" -f *=0:135:TCP -n BLOCK -x
route.exe print
