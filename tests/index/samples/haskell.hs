{-# LANGUAGE OverloadedStrings #-}
module Inventory.Store
  ( Store
  , Item (..)
  , emptyStore
  , addItem
  ) where

import qualified Data.Map.Strict as Map
import Data.Text (Text)
import Control.Monad (when)

maxItems :: Int
maxItems = 500

type Sku = Text

data Item = Item
  { itemSku :: Sku
  , itemQty :: Int
  } deriving (Show, Eq)

newtype Store = Store (Map.Map Sku Item)

class Priced a where
  price :: a -> Double

instance Priced Item where
  price item = fromIntegral (itemQty item) * 1.5

emptyStore :: Store
emptyStore = Store Map.empty

addItem :: Item -> Store -> Either String Store
addItem item (Store items)
  | Map.size items >= maxItems = Left "store full"
  | otherwise = Right (Store (Map.insert (itemSku item) item items))

report :: Store -> IO ()
report (Store items) = do
  when (Map.null items) $ putStrLn "empty"
  mapM_ (print . price) (Map.elems items)
