netsh ipsec static add policy name=whitelist
netsh ipsec static add filterlist name=allow
netsh ipsec static add filterlist name=denyall
netsh ipsec static add filter filterlist=allow srcaddr=any dstaddr=me protocol=tcp mirrored=yes dstport=3306 数据库
netsh ipsec static add filter filterlist=allow srcaddr=any dstaddr=me protocol=tcp mirrored=yes dstport=80 web server
netsh ipsec static add filter filterlist=allow srcaddr=any dstaddr=me protocol=tcp mirrored=yes dstport=3389 远程桌面
netsh ipsec static add filter filterlist=denyall srcaddr=any dstaddr=me protocol=any mirrored=yes 全部
netsh ipsec static add filteraction name=permit action=permit
netsh ipsec static add filteraction name=block action=block
netsh ipsec static add rule name=allow policy=whitelist filterlist=allow filteraction=permit 允许
netsh ipsec static add rule name=deny policy=whitelist filterlist=denyall filteraction=block
netsh ipsec static set policy name=whitelist assign=y
